"""add language and pinned to posts

Revision ID: 2b017edaa91f
Revises: d049de007ccf
Create Date: 2017-10-03 12:48:37.116248

"""
from alembic import op
import sqlalchemy as sa


revision = '2b017edaa91f'
down_revision = 'd049de007ccf'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('post', sa.Column('language', sa.String(length=5), nullable=True))
    op.add_column('post', sa.Column('pinned', sa.Boolean(), server_default='0', nullable=False))


def downgrade():
    op.drop_column('post', 'pinned')
    op.drop_column('post', 'language')
