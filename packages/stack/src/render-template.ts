/**
 * envsubst-style rendering of `${NAME}` placeholders, strict: the same template files are
 * rendered by envsubst inside containers, so the syntax stays envsubst's, but here an
 * unknown or missing variable is an error instead of a silent empty string.
 * nginx's own `$variables` (no braces) are left alone.
 */

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g

export class TemplateError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TemplateError'
  }
}

/** The placeholder names a template uses, in order of first appearance. */
export function templateVariables(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1] as string))]
}

/**
 * Replaces every `${NAME}` with `vars[NAME]`. Throws a TemplateError naming every variable
 * the template needs but `vars` lacks, and every variable `vars` has but the template
 * does not use (a typo would otherwise go unnoticed).
 */
export function renderTemplate(
  template: string,
  vars: Record<string, string>,
  templateName = 'template',
): string {
  const used = templateVariables(template)
  const missing = used.filter((name) => !Object.hasOwn(vars, name))
  const unknown = Object.keys(vars).filter((name) => !used.includes(name))
  const problems = [
    ...(missing.length > 0 ? [`missing variable(s) ${missing.join(', ')}`] : []),
    ...(unknown.length > 0 ? [`unknown variable(s) ${unknown.join(', ')} (not used by the template)`] : []),
  ]
  if (problems.length > 0) throw new TemplateError(`cannot render ${templateName}: ${problems.join('; ')}`)
  return template.replace(PLACEHOLDER, (_match, name: string) => vars[name] as string)
}
