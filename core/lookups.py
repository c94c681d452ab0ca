"""Query expressions the ORM lacks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F, Lookup, QuerySet, Subquery, Value

from core import bulk


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


class AnyOfValues(Lookup):
    """`column = ANY('{…}'::type[])`: rows whose column is one of these values (a batch's
    external ids), sent as one array literal (core.bulk) rather than one placeholder per
    value, which the driver would split, quote and send one by one. The literal is a
    constant to the planner, as an IN list is (a partial index on the column still applies).

    Use as a filter: `Hearing.objects.filter(AnyOfValues("external_id", ids, "text"))`.
    """

    lookup_name = "any_of_values"
    prepare_rhs = False

    def __init__(self, column: str, values: Iterable[str] | Iterable[int], db_type: str) -> None:
        self.db_type = db_type
        literal = (
            bulk.text_array([str(v) for v in values])
            if db_type == "text"
            else bulk.int_array([int(v) for v in values])
        )
        super().__init__(F(column), Value(literal))

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY({rhs}::{self.db_type}[])", (*lhs_params, *rhs_params)
