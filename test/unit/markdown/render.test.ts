import { describe, expect, it } from 'vitest';
import { absolutiseLinks, htmlToPlainText, renderMarkdown } from '../../../src/lib/markdown/render.ts';

describe('renderMarkdown', () => {
  it('drops script elements and their content', () => {
    const html = renderMarkdown('Closed today.<script>alert("x")</script>');
    expect(html).toContain('Closed today.');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('alert(');
  });

  it('drops event handler attributes', () => {
    const html = renderMarkdown('<img src="x" onerror="alert(1)"> <b onclick="alert(2)">bold</b> <a href="https://example.org" onmouseover="alert(3)">link</a>');
    expect(html).not.toMatch(/\bon\w+=/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain('<b>bold</b>');
    expect(html).toContain('href="https://example.org"');
  });

  it('removes javascript: and data: URLs from links, however they are written', () => {
    const html = renderMarkdown(
      '[a](javascript:alert(1)) <a href="JaVaScRiPt:alert(2)">b</a> <a href=" javascript:alert(3)">c</a> [d](data:text/html;base64,PHNjcmlwdD4=) <a href="&#106;avascript:alert(4)">e</a>',
    );
    expect(html).not.toMatch(/javascript:/i);
    expect(html).not.toMatch(/data:/i);
    expect(html).not.toMatch(/href="[^"]*alert/i);
  });

  it('keeps ordinary markdown as GOV.UK-styled HTML', () => {
    const html = renderMarkdown('Open at **10:30am**.\n\n- Year 7\n- Year 8\n\n[Advice](/pages/bad-weather-advice)');
    expect(html).toContain('<p class="govuk-body">Open at <strong>10:30am</strong>.</p>');
    expect(html).toContain('<ul class="govuk-list govuk-list--bullet">');
    expect(html).toContain('<a href="/pages/bad-weather-advice" class="govuk-link">Advice</a>');
  });

  it('allows no style, class or iframe smuggled in by the author', () => {
    const html = renderMarkdown('<p class="evil" style="position:fixed">x</p><iframe src="https://example.org"></iframe><style>body{}</style>');
    expect(html).not.toMatch(/style=|<style|<iframe|class="evil"/i);
  });
});

describe('htmlToPlainText', () => {
  it('keeps paragraphs and list items as lines, and link addresses in brackets', () => {
    const html = renderMarkdown('Roads are icy & slow.\n\n- Check [school closures](/services/schools)\n- Read <https://example.org/a>\n\nStay safe.');
    expect(htmlToPlainText(html, 'https://alerts.example.gov.uk')).toBe(
      'Roads are icy & slow.\n\n- Check school closures (https://alerts.example.gov.uk/services/schools)\n- Read https://example.org/a (https://example.org/a)\n\nStay safe.',
    );
  });
});

describe('absolutiseLinks', () => {
  it('makes site-relative links absolute and leaves others alone', () => {
    const html = '<a href="/pages/a" class="govuk-link">a</a> <a href="https://b.example/x">b</a> <a href="mailto:c@example.org">c</a>';
    expect(absolutiseLinks(html, 'https://site.example')).toBe(
      '<a href="https://site.example/pages/a" class="govuk-link">a</a> <a href="https://b.example/x">b</a> <a href="mailto:c@example.org">c</a>',
    );
  });
});
