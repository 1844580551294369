// Sign in: an API token becomes the session cookie (POST /api/session); the
// token itself is never kept by the page. A token in the URL's fragment
// (#token=…, as `make run` prints it) signs in at once.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { navigate, route } from '../router.js';

export function SignIn() {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);

  async function signIn(value) {
    setBusy(true);
    setProblem('');
    try {
      await api('POST', '/api/session', { token: value.trim() });
      const next = route.value.query.get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/executions', { replace: true });
    } catch (err) {
      setProblem(err.status === 401 ? 'That token is not valid.' : err.message);
    } finally {
      setBusy(false);
    }
  }
  const submit = (e) => { e.preventDefault(); signIn(token); };

  // `make run` prints /signin#token=…: the fragment never reaches a server
  // or a log; it is read once and wiped from the address bar.
  useEffect(() => {
    const given = new URLSearchParams(location.hash.slice(1)).get('token');
    if (!given) return;
    history.replaceState(null, '', location.pathname + location.search);
    signIn(given);
  }, []);

  return html`
    <main class="signin">
      <form onSubmit=${submit} aria-label="Sign in">
        <h1>Baley Runtime</h1>
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="off" autofocus
               value=${token} onInput=${(e) => setToken(e.currentTarget.value)} required />
        ${problem && html`<p class="problem" role="alert">${problem}</p>`}
        <button type="submit" disabled=${busy || !token.trim()}>Sign in</button>
        <p class="hint">The admin token of <code>make run</code> is in <code>data/admin-token</code>.</p>
      </form>
    </main>`;
}
