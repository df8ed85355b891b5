/**
 * The page's state in its URL: `#spec=<base64url of the spec's JSON>` plus the strategies
 * compared and the heatmap's metric. The spec carries its seed, so a link reruns the same numbers.
 */
import { parseStrategies, type Strategy } from '../../src/chart/strategies.js';

export interface PageState {
  spec: Record<string, unknown>;
  compare: Strategy[];
  metric?: string;
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

export function encodeState(state: PageState): string {
  const params = new URLSearchParams();
  params.set('spec', toBase64Url(JSON.stringify(state.spec)));
  if (state.compare.length) params.set('compare', state.compare.join(','));
  if (state.metric) params.set('metric', state.metric);
  return `#${params.toString()}`;
}

/** The state in a URL hash, or null without one; throws with a readable message if it is malformed. */
export function decodeState(hash: string): PageState | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const encoded = params.get('spec');
  if (!encoded) return null;
  let spec: unknown;
  try {
    spec = JSON.parse(fromBase64Url(encoded));
  } catch {
    throw new Error('the link\'s spec could not be read (it was cut off or edited)');
  }
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new Error('the link\'s spec is not an object');
  return { spec: spec as Record<string, unknown>, compare: parseStrategies(params.get('compare')), metric: params.get('metric') ?? undefined };
}
