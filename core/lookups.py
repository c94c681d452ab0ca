"""Query expressions the ORM lacks."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Lookup, QuerySet, Subquery


class _Array(Subquery):
    template = "ARRAY(%(subquery)s)"


class AnyOf(Lookup):
    """`column = ANY(ARRAY(subquery))`: rows whose column is one of a small set of ids, such as
    a person's cases. PostgreSQL runs the subquery once (an InitPlan) and reads the column's
    index once per id; not knowing the array's length when it plans, it assumes a few
    elements, so it never trades that index for a walk of another one in the list's order (as
    it may for `IN (subquery)`, a semi-join it estimates from averages). Right for a few hundred
    or thousand ids; never for a court's cases.

    Use as a filter: `Offer.objects.filter(AnyOf("case_id", participations.values("case_id")))`.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def __init__(self, column: str | Any, ids: QuerySet[Any]) -> None:
        super().__init__(F(column) if isinstance(column, str) else column, _Array(ids))

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)
