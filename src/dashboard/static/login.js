// Posts the token with fetch so a wrong one shows a message instead of a JSON error page.
document.getElementById('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = document.getElementById('error');
  error.hidden = true;
  const body = new URLSearchParams({ token: document.getElementById('token').value });
  const response = await fetch('/dashboard/login', { method: 'POST', body, headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (response.ok) {
    window.location.assign('/dashboard');
  } else {
    error.textContent = response.status === 401 ? 'That token is not valid.' : `Sign-in failed (${response.status}).`;
    error.hidden = false;
  }
});
