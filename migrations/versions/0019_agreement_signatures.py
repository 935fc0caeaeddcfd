"""the signed cooperation agreement: whether the uploaded copy carries a digital signature, and its signers

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 17:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signature_status", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("signer_names", sa.Text(), server_default="", nullable=False))
        batch_op.create_check_constraint(
            "signature_status", "signature_status IS NULL OR signature_status IN ('signed', 'unsigned', 'unknown')"
        )


def downgrade():
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_attachment_signature_status"), type_="check")
        batch_op.drop_column("signer_names")
        batch_op.drop_column("signature_status")
