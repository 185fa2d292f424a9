// biome-ignore-all lint/suspicious/noTemplateCurlyInString: envsubst-style placeholders are what these tests are about
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { renderTemplate, TemplateError, templateVariables } from '../src/render-template.js'

test('substitutes ${NAME} placeholders and leaves nginx $variables alone', () => {
  const out = renderTemplate('listen ${PORT}; set $x $host${SUFFIX};', { PORT: '80', SUFFIX: '' })
  assert.equal(out, 'listen 80; set $x $host;')
})

test('lists the variables a template uses once each, in order', () => {
  assert.deepEqual(templateVariables('${B} ${A} ${B} $c'), ['B', 'A'])
})

test('fails naming every missing variable', () => {
  assert.throws(
    () => renderTemplate('${A} ${B} ${C}', { A: '1' }, 'x.template'),
    (error: unknown) =>
      error instanceof TemplateError &&
      /cannot render x\.template: missing variable\(s\) B, C/.test(error.message),
  )
})

test('fails naming a variable the template does not use (a typo)', () => {
  assert.throws(() => renderTemplate('${A}', { A: '1', AA: '2' }), /unknown variable\(s\) AA/)
})
