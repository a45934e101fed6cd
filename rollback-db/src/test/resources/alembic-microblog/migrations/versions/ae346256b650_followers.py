"""followers

Revision ID: ae346256b650
Revises: e517276bb1c2
Create Date: 2017-09-17 15:41:30.211002

"""
from alembic import op
import sqlalchemy as sa


revision = 'ae346256b650'
down_revision = 'e517276bb1c2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('followers',
    sa.Column('follower_id', sa.Integer(), nullable=True),
    sa.Column('followed_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['followed_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['follower_id'], ['user.id'], )
    )


def downgrade():
    op.drop_table('followers')
