/**
 * Tiny DOM helpers for the panel. Everything is built with createElement and textContent: no string of HTML is
 * ever parsed, so a symbol name, a journal line or an exchange message can never become markup.
 */

/** The element with `id`, or a thrown bug: the panel's markup and its code ship together. */
export function byId<T extends HTMLElement>(id: string, root: Document | ShadowRoot = document): T {
  const node = root.getElementById(id);
  if (node === null) throw new Error(`panel markup is missing #${id}`);
  return node as T;
}

type Attrs = Record<string, string | boolean | undefined>;
type Child = Node | string | null | undefined | false;

/**
 * `h('button', {id: 'x', type: 'button'}, 'Close')`. Attribute values are set with setAttribute (a `true` sets the
 * empty string, `false`/`undefined` leaves the attribute out); children are nodes or text.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : value);
  }
  append(node, ...children);
  return node;
}

/** SVG element in the SVG namespace (createElement would make an unknown HTML element that never renders). */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}
