"""Prefetching a list's related rows without Django's per-row cost.

`prefetch_related` of a reverse foreign key makes, for every row of the page, a related manager
and a clone of the prefetch queryset (which deep-copies its select_related) only to hang the
rows on it: for 50 offers with terms and concessions that was a quarter of the offers list's
CPU. `attaching` makes a queryset run a function on each batch of rows it fetches, and
`related_cached` fills the same cache that prefetch_related fills (so `offer.terms.all()` and
the API serializers read it as they read a prefetch), from one query per relation, grouped in
Python. tests/core/test_fast_serializers.py holds it to prefetch_related's results.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from django.db import models
from django.db.models.query import ModelIterable, QuerySet

M = TypeVar("M", bound=models.Model)
Attach = Callable[[list[Any]], None]


class _AttachingIterable(ModelIterable):
    attach: Attach

    def __iter__(self) -> Iterator[Any]:
        rows = list(super().__iter__())
        if rows:
            type(self).attach(rows)
        return iter(rows)


@functools.cache
def _iterable_for(attach: Attach) -> type[_AttachingIterable]:
    return type("AttachingIterable", (_AttachingIterable,), {"attach": staticmethod(attach)})


def attaching(queryset: QuerySet[M], attach: Attach) -> QuerySet[M]:
    """`queryset`, running `attach(rows)` on the rows of each fetch (a page, once sliced),
    before anyone reads them. `.values()` and the like read without it."""
    chained = queryset._chain()  # type: ignore[attr-defined]
    chained._iterable_class = _iterable_for(attach)
    return chained


def related_cached(rows: Sequence[models.Model], name: str, related: QuerySet[Any]) -> None:
    """Fill the prefetch cache of the reverse foreign key `name` of each of `rows` (as
    `prefetch_related(Prefetch(name, queryset=related))` would) with one query."""
    if not rows:
        return
    descriptor = getattr(type(rows[0]), name)
    field = descriptor.rel.field  # the foreign key on the related model
    by_parent: dict[Any, list[Any]] = defaultdict(list)
    keys = [row.pk for row in rows]
    for item in related.filter(**{f"{field.attname}__in": keys}):
        by_parent[getattr(item, field.attname)].append(item)
    model = related.model
    cache_name = field.remote_field.cache_name
    for row in rows:
        items = by_parent.get(row.pk, [])
        for item in items:
            field.set_cached_value(item, row)
        cached: QuerySet[Any] = QuerySet(model=model)
        cached._result_cache = items
        cached._prefetch_done = True  # type: ignore[attr-defined]
        row.__dict__.setdefault("_prefetched_objects_cache", {})[cache_name] = cached
