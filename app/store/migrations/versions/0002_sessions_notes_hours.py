"""Scheduling, attendance, case notes, hours and reminders

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "note_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("sections", sa.Text(), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )

    op.create_table(
        "case_note",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=40), nullable=False),
        sa.Column("author_member_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("template", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tags", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_member_id"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["consult_group.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_note_alias"), ["alias"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_note_author_member_id"), ["author_member_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_case_note_group_id"), ["group_id"], unique=False)

    op.create_table(
        "hour_entry",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("hour_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hour_entry_member_id"), ["member_id"], unique=False)

    op.create_table(
        "period_lock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("entries_hash", sa.String(length=64), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unlocked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unlock_reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("period_lock", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_period_lock_member_id"), ["member_id"], unique=False)

    op.create_table(
        "reminder_setting",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=True),
        sa.Column("offset_days", sa.Integer(), nullable=True),
        sa.Column("local_time", sa.String(length=5), nullable=True),
        sa.Column("quiet_start", sa.String(length=5), nullable=True),
        sa.Column("quiet_end", sa.String(length=5), nullable=True),
        sa.Column("include_coordinated", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["consult_group.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reminder_setting", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reminder_setting_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "session_series",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("start_local", sa.DateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("rrule", sa.String(length=500), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("video_url", sa.String(length=500), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column("uid", sa.String(length=255), nullable=False),
        sa.Column("parent_series_id", sa.Integer(), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["consult_group.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["parent_series_id"],
            ["session_series.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("session_series", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_session_series_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_session_series_uid"), ["uid"], unique=False)

    op.create_table(
        "follow_up",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["note_id"], ["case_note.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_note_id"), ["note_id"], unique=False)

    op.create_table(
        "note_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["note_id"], ["case_note.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )

    op.create_table(
        "occurrence",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("recurrence_id", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("start_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column("moved", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("video_url", sa.String(length=500), nullable=True),
        sa.Column("agenda", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["series_id"], ["session_series.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("series_id", "recurrence_id", name="uq_occurrence_series_recurrence"),
    )
    with op.batch_alter_table("occurrence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_occurrence_series_id"), ["series_id"], unique=False)
        batch_op.create_index("ix_occurrence_start_utc", ["start_utc"], unique=False)

    op.create_table(
        "phi_dismissal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=True),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["note_id"], ["case_note.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("phi_dismissal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_phi_dismissal_text_hash"), ["text_hash"], unique=False)

    op.create_table(
        "reminder_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("recurrence_id", sa.DateTime(), nullable=True),
        sa.Column("due_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("via_digest", sa.Boolean(), nullable=False),
        sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["series_id"], ["session_series.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )

    op.create_table(
        "attendance",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("late_minutes", sa.Integer(), nullable=False),
        sa.Column("left_early_minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["occurrence_id"], ["occurrence.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("occurrence_id", "member_id", name="uq_attendance_occ_member"),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_member_id"), ["member_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_attendance_occurrence_id"), ["occurrence_id"], unique=False
        )

    op.create_table(
        "note_occurrence",
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["note_id"], ["case_note.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["occurrence_id"], ["occurrence.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("note_id", "occurrence_id"),
    )

    op.create_table(
        "occurrence_duty",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("duty", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["occurrence_id"], ["occurrence.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("occurrence_id", "member_id", "duty", name="uq_duty_occ_member_duty"),
    )
    with op.batch_alter_table("occurrence_duty", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_occurrence_duty_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_occurrence_duty_occurrence_id"), ["occurrence_id"], unique=False
        )

    # Full-text search over case notes (SQLite FTS5, external content = case_note; kept in
    # step by triggers). Other dialects fall back to LIKE (see app/services/notes.py).
    if op.get_bind().dialect.name == "sqlite":
        for stmt in NOTE_FTS_SQL:
            op.execute(stmt)


# Not part of the models' metadata (tests/unit/test_migrations.py skips note_fts*).
NOTE_FTS_SQL = (
    "CREATE VIRTUAL TABLE note_fts USING fts5(alias, title, body, tags, "
    "content='case_note', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER note_fts_ai AFTER INSERT ON case_note BEGIN "
    "INSERT INTO note_fts(rowid, alias, title, body, tags) "
    "VALUES (new.id, new.alias, new.title, new.body, new.tags); END",
    "CREATE TRIGGER note_fts_ad AFTER DELETE ON case_note BEGIN "
    "INSERT INTO note_fts(note_fts, rowid, alias, title, body, tags) "
    "VALUES ('delete', old.id, old.alias, old.title, old.body, old.tags); END",
    "CREATE TRIGGER note_fts_au AFTER UPDATE ON case_note BEGIN "
    "INSERT INTO note_fts(note_fts, rowid, alias, title, body, tags) "
    "VALUES ('delete', old.id, old.alias, old.title, old.body, old.tags); "
    "INSERT INTO note_fts(rowid, alias, title, body, tags) "
    "VALUES (new.id, new.alias, new.title, new.body, new.tags); END",
)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("note_fts_ai", "note_fts_ad", "note_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS note_fts")
    op.drop_table("occurrence_duty")
    op.drop_table("note_occurrence")
    op.drop_table("attendance")
    op.drop_table("reminder_delivery")
    op.drop_table("phi_dismissal")
    op.drop_table("occurrence")
    op.drop_table("note_draft")
    op.drop_table("follow_up")
    op.drop_table("session_series")
    op.drop_table("reminder_setting")
    op.drop_table("period_lock")
    op.drop_table("hour_entry")
    op.drop_table("case_note")
    op.drop_table("note_template")
