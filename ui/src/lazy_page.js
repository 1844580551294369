// A page whose code is fetched the first time it is shown, so that the
// pages most people open first (the lists, an execution) load no chart or
// form code they do not use.
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';

export function lazyPage(load) {
  let Page = null;
  let loading = null;
  return function LazyPage(props) {
    const [, setReady] = useState(Page !== null);
    useEffect(() => {
      if (Page) return;
      loading ??= load().then((component) => { Page = component; });
      loading.then(() => setReady(true));
    }, []);
    return Page ? html`<${Page} ...${props} />` : html`<p class="muted">Loading…</p>`;
  };
}
