"""Wording shared by the errors of several modules."""

ERRORS = {
    "and": (" and ", " 且"),
    "or": (" or ", "或"),
}
