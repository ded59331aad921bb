// JSON Feed 1.0 and 1.1. Its title, summary and content_text are plain text by the
// specification (so "<A62>" in them stays), with entities decoded because publishers such as
// WordPress encode them anyway; content_html is HTML. Control characters, which JSON lets a
// feed smuggle in as \u escapes, are removed like everywhere else.
import { parseFeedDate } from './dates.ts';
import { collect, FeedParseError, finishItem, isNode, safeLink, type ParsedItem, type ReadContext } from './parse-items.ts';
import { decodeEntities, htmlToText, plainText } from './text.ts';

export interface JsonFeed {
  format: 'json-feed';
  title: string;
  items: ParsedItem[];
}

const str = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');
const text = (value: unknown): string => plainText(decodeEntities(str(value)));

/** A JSON Feed; throws FeedParseError when the text is not JSON, or not a JSON Feed. */
export function parseJsonFeed(body: string, context: ReadContext): JsonFeed {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw new FeedParseError('the feed is not valid JSON');
  }
  if (!isNode(data) || !/jsonfeed\.org\/version\/1/.test(str(data['version'])) || !Array.isArray(data['items'])) {
    throw new FeedParseError('the address gives JSON, but not a JSON Feed');
  }
  const base = safeLink(str(data['feed_url']), context.url) ?? context.url;
  const items = (data['items'] as unknown[]).filter(isNode);
  const dateOf = (item: Record<string, unknown>) => parseFeedDate(str(item['date_published']) || str(item['date_modified']));
  return {
    format: 'json-feed',
    title: text(data['title']),
    items: collect(
      items,
      (item) => {
        const link = safeLink(str(item['url']), base) ?? safeLink(str(item['external_url']), base);
        return finishItem(
          {
            id: str(item['id']),
            title: text(item['title']),
            summary: text(item['summary']) || text(item['content_text']) || htmlToText(str(item['content_html'])),
            link,
            rawDate: str(item['date_published']) || str(item['date_modified']),
          },
          { ...context, url: base },
        );
      },
      context,
      { dateOf },
    ),
  };
}
