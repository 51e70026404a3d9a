-- Cards are listed by category only when published (`status = 'active'`: the category pages,
-- their counts and facets); a card waiting for moderation never is, and no reference check
-- needs the index (categories are never deleted). So the index holds published cards only,
-- and a first price list's million new cards, all waiting, add no entry to it
-- (BENCHMARKS.md, "price-list import, fifth round"). A card gets its entry when approved.
DROP INDEX products_category;
CREATE INDEX products_category ON products (category_id) WHERE status = 'active';
