// The single choke point for user-written markdown: marked → sanitize-html with a strict
// allow-list. Called when a revision is written; the stored HTML is served as it is.
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const marked = new Marked({ gfm: true, breaks: false, async: false });

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'strong', 'em', 'b', 'i', 'ul', 'ol', 'li', 'a', 'h2', 'h3', 'h4',
    'blockquote', 'code', 'pre', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'del',
  ],
  allowedAttributes: { a: ['href'] },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // GOV.UK Frontend typography classes, so stored HTML looks right without per-request work.
  transformTags: {
    p: sanitizeHtml.simpleTransform('p', { class: 'govuk-body' }),
    a: sanitizeHtml.simpleTransform('a', { class: 'govuk-link' }),
    ul: sanitizeHtml.simpleTransform('ul', { class: 'govuk-list govuk-list--bullet' }),
    ol: sanitizeHtml.simpleTransform('ol', { class: 'govuk-list govuk-list--number' }),
    h2: sanitizeHtml.simpleTransform('h2', { class: 'govuk-heading-m' }),
    h3: sanitizeHtml.simpleTransform('h3', { class: 'govuk-heading-s' }),
    h4: sanitizeHtml.simpleTransform('h4', { class: 'govuk-heading-s' }),
    table: sanitizeHtml.simpleTransform('table', { class: 'govuk-table' }),
  },
};
// transformTags adds classes after the allow-list check, so allow exactly those class values.
SANITIZE_OPTIONS.allowedClasses = {
  p: ['govuk-body'],
  a: ['govuk-link'],
  ul: ['govuk-list', 'govuk-list--bullet'],
  ol: ['govuk-list', 'govuk-list--number'],
  h2: ['govuk-heading-m'],
  h3: ['govuk-heading-s'],
  h4: ['govuk-heading-s'],
  table: ['govuk-table'],
};

/** Renders markdown to HTML that can carry no script, event handler or dangerous URL. */
export function renderMarkdown(markdown: string): string {
  const html = marked.parse(markdown) as string;
  return sanitizeHtml(html, SANITIZE_OPTIONS).trim();
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&nbsp;': ' ' };

/** Makes the site-relative links in sanitised HTML absolute (for feeds read off the site). */
export function absolutiseLinks(html: string, siteUrl: string): string {
  return html.replace(/href="(\/[^"]*)"/g, (_match, path: string) => `href="${new URL(path, siteUrl).toString()}"`);
}

/**
 * Plain text of sanitised HTML (for CAP descriptions and other text-only outputs). Links keep
 * their address in brackets, made absolute against `siteUrl`.
 */
export function htmlToPlainText(html: string, siteUrl?: string): string {
  const withLinks = html.replace(/<a href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g, (_match, href: string, text: string) => {
    const address = siteUrl && href.startsWith('/') ? new URL(href, siteUrl).toString() : href;
    return `${text} (${address})`;
  });
  const withBreaks = withLinks.replace(/<\/li>\s*/gi, '\n').replace(/<\/(p|h[1-6]|blockquote|tr|ul|ol)>/gi, '\n\n').replace(/<br\s*\/?>/gi, '\n').replace(/<li>/gi, '- ');
  const text = sanitizeHtml(withBreaks, { allowedTags: [], allowedAttributes: {} });
  return text
    .replace(/&(amp|lt|gt|quot|nbsp|#39);/g, (entity) => ENTITIES[entity] ?? entity)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
