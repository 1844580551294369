// htm bound to preact's h: the one way components write markup, without JSX
// or a compile step of their own.
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
