import os

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                                    "microblog.db")
db = SQLAlchemy(app)
migrate = Migrate(app, db, render_as_batch=True)
