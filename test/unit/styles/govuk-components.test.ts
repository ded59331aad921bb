// The stylesheet carries only the GOV.UK Frontend components the site uses: every component
// `@use`d in src/styles/site.scss has its class in at least one page, layout or component.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(astro|ts)$/.test(name) ? [path] : [];
  });
}

const stylesheet = readFileSync('src/styles/site.scss', 'utf8');
const components = [...stylesheet.matchAll(/@use "govuk-frontend\/dist\/govuk\/components\/([a-z-]+)"/g)].map((m) => m[1]!);
const markup = sourceFiles('src').map((file) => readFileSync(file, 'utf8')).join('\n');

describe('the GOV.UK Frontend components in the stylesheet', () => {
  it('are listed', () => {
    expect(components.length).toBeGreaterThan(10);
  });

  it.each(components)('%s is used by the site', (component) => {
    const block = `govuk-${component}`;
    expect(new RegExp(`["' ]${block}(?:["' ]|__|--)`).test(markup), `${block} appears in no page or component`).toBe(true);
  });
});
