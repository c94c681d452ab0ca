import django_filters
from django import forms


class IdFilter(django_filters.Filter):
    """A related row's id, matched without looking the row up first.

    django-filter's default for a foreign key checks that the id exists among all rows: 400 for a
    missing case, 200 for a case the user may not see, which tells the two apart.
    """

    field_class = forms.IntegerField
