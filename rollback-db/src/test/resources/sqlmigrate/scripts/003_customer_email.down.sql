-- written by hand: the column was first called mail
ALTER TABLE customer DROP COLUMN mail