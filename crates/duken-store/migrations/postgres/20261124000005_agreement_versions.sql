-- §1, §7: the agreement's versions. Version 1 is inserted at first start from the texts the
-- binary carries; operators publish later versions from the console. A published version is
-- never changed.
CREATE TABLE agreement_versions (
    version       INTEGER PRIMARY KEY,
    published_at  TIMESTAMPTZ NOT NULL,
    published_by  TEXT NOT NULL,
    summary_kk    TEXT NOT NULL,
    summary_ru    TEXT NOT NULL,
    summary_en    TEXT NOT NULL,
    text_kk       TEXT NOT NULL,
    text_ru       TEXT NOT NULL,
    text_en       TEXT NOT NULL
);
