"""upload origins: uploads recognised as the studio's works, and melody prints

- `uploads.origins`: the studio's works an upload was recognised as (by hash, C2PA
  manifest, watermark, melody print or "use as input") with the lineage they bring.
- `melody_prints`: a music work's melody shingles, indexed, to recognise it again.
- `uploads.sha256` and `work_files.sha256` indexed: recognition by hash.

Plain ALTER TABLE and new tables only (a batch copy of `uploads` on SQLite would drop the
table and cascade to what references it).

Revision ID: 0011_upload_origins
Revises: 0010_custom_models
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_upload_origins"
down_revision: str | tuple[str, ...] | None = "0010_custom_models"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("uploads", sa.Column("origins", sa.JSON(), nullable=True))
    op.create_index("ix_uploads_sha256", "uploads", ["sha256"])
    op.create_index("ix_work_files_sha256", "work_files", ["sha256"])
    op.create_table(
        "melody_prints",
        sa.Column(
            "work_id",
            sa.String(32),
            sa.ForeignKey("works.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("shingle", sa.BigInteger(), primary_key=True, autoincrement=False),
    )
    op.create_index("ix_melody_prints_shingle", "melody_prints", ["shingle"])


def downgrade() -> None:
    op.drop_index("ix_melody_prints_shingle", table_name="melody_prints")
    op.drop_table("melody_prints")
    op.drop_index("ix_work_files_sha256", table_name="work_files")
    op.drop_index("ix_uploads_sha256", table_name="uploads")
    op.drop_column("uploads", "origins")
