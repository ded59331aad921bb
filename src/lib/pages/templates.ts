// Alert templates are information pages whose slug starts with "template-": staff edit them like
// any page; residents are never sent to them, and the open data leaves them out.
export const TEMPLATE_SLUG_PREFIX = 'template-';

export function isTemplateSlug(slug: string): boolean {
  return slug.startsWith(TEMPLATE_SLUG_PREFIX);
}
