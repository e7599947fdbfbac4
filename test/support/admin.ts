import type { TestGateway } from './gateway.js';

/** Calls the running gateway's admin API with its admin token; throws on a non-2xx answer. */
export async function admin<T = any>(t: TestGateway, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${t.url}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${t.gateway.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface Hierarchy {
  organizationId: string;
  projectId: string;
  teamId: string;
  userId: string;
}

/** A fresh organization with one project, one team in it and one user in the team. */
export async function createHierarchy(t: TestGateway, name: string): Promise<Hierarchy> {
  const org = await admin(t, 'POST', '/organizations', { name });
  const project = await admin(t, 'POST', '/projects', { organizationId: org.id, name: `${name}-project` });
  const team = await admin(t, 'POST', '/teams', { organizationId: org.id, projectId: project.id, name: `${name}-team` });
  const user = await admin(t, 'POST', '/users', { organizationId: org.id, teamId: team.id, name: `${name}-user` });
  return { organizationId: org.id, projectId: project.id, teamId: team.id, userId: user.id };
}
