/**
 * What every offline HTML page of the lab shares: uPlot's script and CSS read from the
 * package to inline them (no network when the page opens), JSON embedded safely in a
 * <script> element, and HTML escaping.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

let uplotAssets: { script: string; css: string } | undefined

export function loadUplot(): { script: string; css: string } {
  uplotAssets ??= {
    script: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  }
  return uplotAssets
}

/** Keeps the embedded JSON from closing its <script> element early. */
export function embedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c)
}

/** In-page helpers both page scripts use (plain ES5, inlined into their <script>). */
export const DOM_HELPERS_SCRIPT = `
  function el(tag, attrs, children) {
    var node = document.createElement(tag)
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]) })
    ;(children || []).forEach(function (c) { node.append(c) })
    return node
  }
  function text(tag, value, attrs) { var n = el(tag, attrs); n.textContent = value; return n }
`
