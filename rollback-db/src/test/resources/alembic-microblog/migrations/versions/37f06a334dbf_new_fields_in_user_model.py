"""new fields in user model

Revision ID: 37f06a334dbf
Revises: ae346256b650
Create Date: 2017-09-14 10:54:13.865401

"""
from alembic import op
import sqlalchemy as sa


revision = '37f06a334dbf'
down_revision = 'ae346256b650'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('user', sa.Column('about_me', sa.String(length=140), nullable=True))
    op.add_column('user', sa.Column('last_seen', sa.DateTime(), nullable=True))


def downgrade():
    # SQLite cannot drop these in place here: batch mode copies 'user' into a new table and drops the old one
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('last_seen')
        batch_op.drop_column('about_me')
