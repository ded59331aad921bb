// Reading HTML responses in tests: parse once, query with CSS selectors.
import { parse, type HTMLElement } from 'node-html-parser';

export async function readHtml(response: Response): Promise<HTMLElement> {
  return parse(await response.text());
}

/** The visible text of an element with whitespace folded. */
export function textOf(element: HTMLElement | null | undefined): string {
  return (element?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** The place rows of a service page's results table. */
export function resultRows(doc: HTMLElement): { name: string; status: string; href: string }[] {
  return doc.querySelectorAll('table.govuk-table tbody tr').map((row) => ({
    name: textOf(row.querySelector('th a')),
    status: textOf(row.querySelector('.govuk-tag')),
    href: row.querySelector('th a')?.getAttribute('href') ?? '',
  }));
}
