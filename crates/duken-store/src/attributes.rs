//! Typed attribute schemas of categories: storage and the console's edits. The rules that
//! check values against a schema are pure, in [`duken_core::attributes`].

use duken_core::Localized;
use duken_core::attributes::{AttributeKind, AttributeRule};
use serde::Deserialize;
use sqlx::FromRow;

use crate::audit::AuditEntry;
use crate::{Store, StoreError, Tx, on_pool, on_tx};

/// One attribute of a category's schema, with its names and (for enums) its values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeDef {
    pub id: i64,
    /// The category that defines it (the product's own category or an ancestor).
    pub category_id: i64,
    pub code: String,
    pub kind: AttributeKind,
    pub unit: String,
    pub required: bool,
    pub facet: bool,
    pub name: Localized,
    pub values: Vec<AttributeValue>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct AttributeValue {
    pub code: String,
    pub name: Localized,
}

/// An attribute as the console or the demo data define it.
#[derive(Clone, Debug, Deserialize)]
pub struct NewAttribute {
    pub code: String,
    pub kind: AttributeKind,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub required: bool,
    pub name: Localized,
    #[serde(default)]
    pub values: Vec<AttributeValue>,
}

impl AttributeDef {
    pub fn rule(&self) -> AttributeRule {
        AttributeRule {
            code: self.code.clone(),
            kind: self.kind,
            required: self.required,
            values: self.values.iter().map(|v| v.code.clone()).collect(),
        }
    }

    /// The name of a stored value in a language: an enum value's name, a boolean's word is
    /// left to the caller (it is a message), anything else the value itself.
    pub fn value_name<'a>(&'a self, value: &'a str, lang: duken_core::Lang) -> &'a str {
        self.values.iter().find(|v| v.code == value).map_or(value, |v| v.name.get(lang))
    }
}

#[derive(FromRow)]
struct AttributeRow {
    id: i64,
    category_id: i64,
    code: String,
    kind: String,
    unit: String,
    required: bool,
    facet: bool,
    name_kk: String,
    name_ru: String,
    name_en: String,
}

#[derive(FromRow)]
struct ValueRow {
    attribute_id: i64,
    code: String,
    name_kk: String,
    name_ru: String,
    name_en: String,
}

impl Store {
    /// The schema of a category: its ancestors' attributes first, then its own, each in order.
    pub async fn category_schema(&self, category_id: i64) -> Result<Vec<AttributeDef>, StoreError> {
        let (rows, values): (Vec<AttributeRow>, Vec<ValueRow>) = on_pool!(self.pool(), |p| {
            let rows = sqlx::query_as(
                "WITH RECURSIVE lineage(id, depth) AS (
                     SELECT id, 0 FROM categories WHERE id = $1
                     UNION ALL SELECT c.parent_id, l.depth + 1 FROM categories c JOIN lineage l ON c.id = l.id
                     WHERE c.parent_id IS NOT NULL)
                 SELECT a.id, a.category_id, a.code, a.kind, a.unit, a.required, a.facet, a.name_kk, a.name_ru, a.name_en
                 FROM category_attributes a JOIN lineage l ON l.id = a.category_id
                 ORDER BY l.depth DESC, a.sort_order, a.id",
            )
            .bind(category_id)
            .fetch_all(p)
            .await?;
            let values = sqlx::query_as(
                "WITH RECURSIVE lineage(id) AS (
                     SELECT id FROM categories WHERE id = $1
                     UNION ALL SELECT c.parent_id FROM categories c JOIN lineage l ON c.id = l.id
                     WHERE c.parent_id IS NOT NULL)
                 SELECT v.attribute_id, v.code, v.name_kk, v.name_ru, v.name_en
                 FROM category_attribute_values v JOIN category_attributes a ON a.id = v.attribute_id
                 JOIN lineage l ON l.id = a.category_id
                 ORDER BY v.attribute_id, v.sort_order, v.code",
            )
            .bind(category_id)
            .fetch_all(p)
            .await?;
            (rows, values)
        });
        rows.into_iter()
            .map(|r| {
                let kind = AttributeKind::parse(&r.kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("attribute {} has kind {:?}", r.id, r.kind)))?;
                Ok(AttributeDef {
                    id: r.id,
                    category_id: r.category_id,
                    code: r.code,
                    kind,
                    unit: r.unit,
                    required: r.required,
                    facet: r.facet,
                    name: Localized { kk: r.name_kk, ru: r.name_ru, en: r.name_en },
                    values: values
                        .iter()
                        .filter(|v| v.attribute_id == r.id)
                        .map(|v| AttributeValue {
                            code: v.code.clone(),
                            name: Localized { kk: v.name_kk.clone(), ru: v.name_ru.clone(), en: v.name_en.clone() },
                        })
                        .collect(),
                })
            })
            .collect()
    }

    /// Adds or changes an attribute of a category (audited). Enum values named here are
    /// added or renamed; values no longer named are kept (products may still use them).
    pub async fn save_attribute(
        &self,
        category_id: i64,
        attr: &NewAttribute,
        actor: &str,
        request_id: &str,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let id = tx.save_attribute(category_id, attr, None).await?;
        let subject = format!("category:{category_id}");
        tx.audit(&AuditEntry {
            actor,
            action: "category.attribute_saved",
            subject: &subject,
            reason: &attr.code,
            request_id,
        })
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds a category (audited); a code already used is a conflict.
    pub async fn add_category(
        &self,
        code: &str,
        parent_id: Option<i64>,
        name: &Localized,
        actor: &str,
        request_id: &str,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let id: i64 = on_tx!(&mut tx, |t| sqlx::query_scalar(
            "INSERT INTO categories (code, parent_id, name_kk, name_ru, name_en, sort_order)
             VALUES ($1, $2, $3, $4, $5, (SELECT CAST(COALESCE(MAX(sort_order), 0) + 1 AS INTEGER) FROM categories))
             RETURNING id"
        )
        .bind(code)
        .bind(parent_id)
        .bind(&name.kk)
        .bind(&name.ru)
        .bind(&name.en)
        .fetch_one(t)
        .await)?;
        let subject = format!("category:{id}");
        tx.audit(&AuditEntry { actor, action: "category.added", subject: &subject, reason: code, request_id }).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Renames a category (audited).
    pub async fn rename_category(
        &self,
        id: i64,
        name: &Localized,
        actor: &str,
        request_id: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let changed = on_tx!(&mut tx, |t| sqlx::query(
            "UPDATE categories SET name_kk = $1, name_ru = $2, name_en = $3 WHERE id = $4"
        )
        .bind(&name.kk)
        .bind(&name.ru)
        .bind(&name.en)
        .bind(id)
        .execute(t)
        .await
        .map(|r| r.rows_affected()))?;
        if changed != 1 {
            return Err(StoreError::NotFound);
        }
        let subject = format!("category:{id}");
        tx.audit(&AuditEntry { actor, action: "category.renamed", subject: &subject, reason: &name.en, request_id })
            .await?;
        tx.commit().await
    }
}

impl Tx {
    /// Upserts an attribute and its enum values by code; `sort_order` defaults to the end.
    pub(crate) async fn save_attribute(
        &mut self,
        category_id: i64,
        attr: &NewAttribute,
        sort_order: Option<i32>,
    ) -> Result<i64, StoreError> {
        let id: i64 = on_tx!(&mut *self, |t| {
            sqlx::query_scalar(
            "INSERT INTO category_attributes (category_id, code, kind, unit, required, name_kk, name_ru, name_en, sort_order)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
                     COALESCE($9, (SELECT CAST(COALESCE(MAX(sort_order), 0) + 1 AS INTEGER) FROM category_attributes WHERE category_id = $1)))
             ON CONFLICT (category_id, code) DO UPDATE SET kind = excluded.kind, unit = excluded.unit,
                 required = excluded.required, name_kk = excluded.name_kk, name_ru = excluded.name_ru,
                 name_en = excluded.name_en
             RETURNING id"
        )
        .bind(category_id)
        .bind(&attr.code)
        .bind(attr.kind.code())
        .bind(&attr.unit)
        .bind(attr.required)
        .bind(&attr.name.kk)
        .bind(&attr.name.ru)
        .bind(&attr.name.en)
        .bind(sort_order)
        .fetch_one(t)
        .await
        })?;
        for (order, v) in attr.values.iter().enumerate() {
            on_tx!(&mut *self, |t| sqlx::query(
                "INSERT INTO category_attribute_values (attribute_id, code, name_kk, name_ru, name_en, sort_order)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (attribute_id, code) DO UPDATE SET name_kk = excluded.name_kk, name_ru = excluded.name_ru,
                     name_en = excluded.name_en, sort_order = excluded.sort_order"
            )
            .bind(id)
            .bind(&v.code)
            .bind(&v.name.kk)
            .bind(&v.name.ru)
            .bind(&v.name.en)
            .bind(i32::try_from(order).unwrap_or(i32::MAX))
            .execute(t)
            .await
            .map(|_| ()))?;
        }
        Ok(id)
    }
}
