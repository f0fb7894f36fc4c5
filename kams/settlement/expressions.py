"""Scheme expressions: CEL (Common Expression Language) parsed by ``cel-python`` and compiled
to SQL over an extraction row (alias ``x``), never evaluated in Python.

Supported: numbers, strings, ``true``/``false``, variables of the registry, ``+ - * /``,
comparisons, ``&& || !``, ``in [..]`` lists of literals, ``a ? b : c``, ``min(a, b)``,
``max(a, b)``, parentheses. Dates compare with ISO date strings (``activation_date >=
"2026-01-01"``). Types are checked when a scheme is saved.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Callable

from celpy import celparser
from django.utils.translation import gettext as _
from lark import Token, Tree

from kams.settlement.errors import ExpressionError
from kams.settlement.variables import BOOL, DATE, NUM, REGISTRY, STR

_parser = None


def _cel() -> celparser.CELParser:
    global _parser
    if _parser is None:
        _parser = celparser.CELParser()
    return _parser


class Sql:
    """A compiled fragment: its SQL text, parameters and type."""

    def __init__(self, sql: str, type_: str, params: list | None = None, literal=None) -> None:
        self.sql, self.type, self.params, self.literal = sql, type_, params or [], literal


_COMPARE = {"relation_lt": "<", "relation_le": "<=", "relation_gt": ">", "relation_ge": ">=",
            "relation_eq": "=", "relation_ne": "<>"}
_ARITH = {"addition_add": "+", "addition_sub": "-", "multiplication_mul": "*", "multiplication_div": "/"}


class Compiler:
    """``allowed(name) -> str | None``: an error text when the variable may not be used here."""

    def __init__(self, field: str, allowed: Callable[[str], str | None] | None = None) -> None:
        self.field, self.allowed, self.used = field, allowed, set()

    def fail(self, problem: str) -> ExpressionError:
        return ExpressionError(field=self.field, problem=problem)

    def compile(self, text: str, expect: str) -> Sql:
        try:
            tree = _cel().parse(text)
        except celparser.CELParseError as exc:
            line, column = getattr(exc, "line", None), getattr(exc, "column", None)
            raise self.fail(_("syntax error at line %(line)s, column %(column)s.") % {
                "line": line or 1, "column": column or 1}) from None
        result = self.node(tree)
        if result.type != expect:
            raise self.fail(_("the expression gives a %(got)s, a %(expected)s is needed.") % {
                "got": result.type, "expected": expect})
        return result

    # --- the tree ---------------------------------------------------------------------------

    def node(self, t) -> Sql:  # noqa: C901 — one branch per grammar rule
        if isinstance(t, Token):
            raise self.fail(_("unexpected “%(text)s”.") % {"text": str(t)})
        rule, kids = t.data, t.children
        if rule == "expr":
            if len(kids) == 1:
                return self.node(kids[0])
            cond, a, b = (self.node(k) for k in kids)
            self.need(cond, BOOL, "?")
            if a.type != b.type:
                raise self.fail(_("both branches of “? :” must have the same type."))
            return Sql(f"(CASE WHEN {cond.sql} THEN {a.sql} ELSE {b.sql} END)", a.type, cond.params + a.params + b.params)
        if rule in ("conditionalor", "conditionaland"):
            if len(kids) == 1:
                return self.node(kids[0])
            a, b = self.node(kids[0]), self.node(kids[1])
            op = "OR" if rule == "conditionalor" else "AND"
            self.need(a, BOOL, op), self.need(b, BOOL, op)
            return Sql(f"({a.sql} {op} {b.sql})", BOOL, a.params + b.params)
        if rule in ("relation", "addition", "multiplication"):
            if len(kids) == 1:
                return self.node(kids[0])
            op_tree, right = kids
            left = self.node(op_tree.children[0])
            return self.binary(op_tree.data, left, right)
        if rule == "unary":
            if len(kids) == 1:
                return self.node(kids[0])
            op, operand = kids[0].data, self.node(kids[1])
            if op == "unary_not":
                self.need(operand, BOOL, "!")
                return Sql(f"(NOT {operand.sql})", BOOL, operand.params)
            self.need(operand, NUM, "-")
            return Sql(f"(-{operand.sql})", NUM, operand.params)
        if rule in ("member", "primary", "paren_expr"):
            if len(kids) == 1 and isinstance(kids[0], Tree):
                if rule == "member" and kids[0].data != "primary":
                    raise self.fail(_("fields, indexes and methods are not supported."))
                inner = self.node(kids[0])
                return Sql(f"({inner.sql})", inner.type, inner.params, inner.literal) if rule == "paren_expr" else inner
            raise self.fail(_("this construct is not supported."))
        if rule == "ident":
            return self.variable(str(kids[0]))
        if rule == "literal":
            return self.literal(kids[0])
        if rule == "ident_arg":
            return self.function(str(kids[0]), kids[1] if len(kids) > 1 else None)
        if rule == "list_lit":
            raise self.fail(_("a list can only follow “in”."))
        raise self.fail(_("this construct is not supported."))

    def need(self, s: Sql, type_: str, op: str) -> None:
        if s.type != type_:
            raise self.fail(_("“%(op)s” needs a %(expected)s, not a %(got)s.") % {
                "op": op, "expected": type_, "got": s.type})

    def binary(self, op: str, left: Sql, right_tree) -> Sql:
        if op == "relation_in":
            lst = self._unwrap_list(right_tree)
            if lst is None:
                raise self.fail(_("“in” needs a list of values, such as [\"a\", \"b\"]."))
            items = [self.node(k) for k in (lst.children[0].children if lst.children and lst.children[0] else [])]
            if not items:
                raise self.fail(_("“in” needs a list of values, such as [\"a\", \"b\"]."))
            params = list(left.params)
            for item in items:
                if item.literal is None:
                    raise self.fail(_("the list after “in” may hold values only."))
                self.comparable(left, item)
                params += item.params
            return Sql(f"({left.sql} IN ({', '.join(i.sql for i in items)}))", BOOL, params)
        right = self.node(right_tree)
        if op in _COMPARE:
            self.comparable(left, right)
            return Sql(f"({left.sql} {_COMPARE[op]} {right.sql})", BOOL, left.params + right.params)
        if op in _ARITH:
            self.need(left, NUM, _ARITH[op]), self.need(right, NUM, _ARITH[op])
            if op == "multiplication_div":
                return Sql(f"({left.sql} * 1.0 / NULLIF({right.sql}, 0))", NUM, left.params + right.params)
            return Sql(f"({left.sql} {_ARITH[op]} {right.sql})", NUM, left.params + right.params)
        raise self.fail(_("the operator “%” is not supported."))

    def comparable(self, a: Sql, b: Sql) -> None:
        if a.type == b.type:
            return
        for date, other in ((a, b), (b, a)):
            if date.type == DATE and other.type == STR and other.literal is not None:
                try:
                    datetime.date.fromisoformat(other.literal)
                except ValueError:
                    raise self.fail(_("“%(text)s” is not a date as YYYY-MM-DD.") % {"text": other.literal}) from None
                return
        raise self.fail(_("a %(a)s cannot be compared with a %(b)s.") % {"a": a.type, "b": b.type})

    @staticmethod
    def _unwrap_list(t):
        while isinstance(t, Tree) and t.data != "list_lit" and len(t.children) == 1:
            t = t.children[0]
        return t if isinstance(t, Tree) and t.data == "list_lit" else None

    def variable(self, name: str) -> Sql:
        if name in ("true", "false"):
            return Sql("TRUE" if name == "true" else "FALSE", BOOL, literal=name == "true")
        var = REGISTRY.get(name)
        if var is None:
            raise self.fail(_("unknown variable “%(name)s”.") % {"name": name})
        if self.allowed is not None:
            problem = self.allowed(name)
            if problem:
                raise self.fail(problem)
        self.used.add(name)
        return Sql(var.sql, var.type)

    def literal(self, token: Token) -> Sql:
        kind, text = token.type, str(token)
        if kind in ("INT_LIT", "UINT_LIT", "FLOAT_LIT"):
            try:
                value = Decimal(text.rstrip("uU"))
            except InvalidOperation:
                raise self.fail(_("“%(text)s” is not a number.") % {"text": text}) from None
            if not value.is_finite():
                raise self.fail(_("“%(text)s” is not a number.") % {"text": text})
            # Rendered from the Decimal, never from the source text: safe to inline.
            return Sql(f"{value:f}", NUM, literal=value)
        if kind == "STRING_LIT":
            if text[:1] in "rR" or len(text) < 2:
                raise self.fail(_("raw strings are not supported."))
            value = text[1:-1]
            if "\\" in value:
                raise self.fail(_("escapes in strings are not supported."))
            return Sql("%s", STR, [value], literal=value)
        if kind == "BOOL_LIT":
            return Sql("TRUE" if text == "true" else "FALSE", BOOL, literal=text == "true")
        raise self.fail(_("“%(text)s” is not supported.") % {"text": text})

    def function(self, name: str, args) -> Sql:
        if name not in ("min", "max"):
            raise self.fail(_("unknown function “%(name)s”; min and max are available.") % {"name": name})
        items = [self.node(k) for k in (args.children if args is not None else [])]
        if len(items) != 2:
            raise self.fail(_("%(name)s takes two numbers.") % {"name": name})
        a, b = items
        self.need(a, NUM, name), self.need(b, NUM, name)
        op = "<=" if name == "min" else ">="
        return Sql(f"(CASE WHEN {a.sql} {op} {b.sql} THEN {a.sql} ELSE {b.sql} END)", NUM,
                   a.params + b.params + a.params + b.params)


def compile_condition(text: str, *, field: str, allowed=None) -> Sql:
    """An empty condition holds for every subscriber."""
    if not (text or "").strip():
        return Sql("TRUE", BOOL, literal=True)
    return Compiler(field, allowed).compile(text, BOOL)


def compile_number(text: str, *, field: str, allowed=None) -> Sql:
    if not (text or "").strip():
        raise ExpressionError(field=field, problem=_("give an expression."))
    return Compiler(field, allowed).compile(text, NUM)


__all__ = ["BOOL", "DATE", "NUM", "STR", "Sql", "compile_condition", "compile_number"]
