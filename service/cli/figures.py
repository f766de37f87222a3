"""The analytics commands: metrics, communities, evolution, links, synergy, recommend,
scorecard and evaluate-links. Each renders one use case of :mod:`service.usecases`."""

from __future__ import annotations

import json
from pathlib import Path

from ._common import _csv_text, _echo, _emit, _err, _json_default, _store, json_document


def _scope(args):
    """The group of ``--cluster`` (repeatable) / ``--country`` / ``--all``, and the filter
    of ``--years``, ``--kinds``, ``--programme``, ``--min-weight`` (the API's names)."""
    from ..usecases import GroupFilter, GroupRef

    ref = None
    if getattr(args, "cluster", None):
        ref = GroupRef.clusters(args.cluster)
    elif getattr(args, "country", None):
        ref = GroupRef.country(args.country)
    flt = GroupFilter.parse({"years": args.years, "kinds": args.kinds,
                             "programme": args.programme,
                             "min_weight": None if args.min_weight is None
                             else str(args.min_weight)})
    return ref, flt


def _use_case(settings, compute):
    """Run ``compute(ctx)`` against the configured store; a user error exits with 2."""
    from ..errors import SynergraphError
    from ..forking import cpu_workers
    from ..usecases import Context

    store = _store(settings)
    try:
        return 0, compute(Context(store, workers=cpu_workers()))
    except SynergraphError as exc:
        _err(f"error: {exc}")
        return 2, None
    finally:
        store.close()


def _scoped(args, settings, compute):
    from ..errors import BadParameter

    try:
        ref, flt = _scope(args)
    except BadParameter as exc:
        _err(f"error: {exc}")
        return 2, None
    return _use_case(settings, lambda ctx: compute(ctx, ref, flt))


def cmd_metrics(args, settings) -> int:
    from .. import usecases as uc

    code, result = _scoped(args, settings, lambda ctx, ref, flt: uc.metrics(
        ctx, ref, flt, weighted=args.weighted, null_runs=args.null_runs, seed=args.seed))
    if code:
        return code
    for figure in result["meta"]["approximate"]:
        how = result["meta"]["methods"][figure]
        _err(f"note: {figure} estimated ({how['method']}, {how['sample']} sources, seed "
             f"{how['seed']}): {how['bound']}")
    for note in (result["cohesion"].get("null_model_meta") or {}).get("notes", []):
        _err(f"note: null model: {note}")
    if args.format == "json":
        _emit(json_document(result), args.out)
        return 0
    columns = [c for c in result["actors"][0]] if result["actors"] else ["id"]
    _emit(_csv_text(result["actors"], columns), args.out)
    if args.out:
        cohesion = {k: v for k, v in result["cohesion"].items() if not isinstance(v, dict)}
        path = Path(args.out).with_suffix(".cohesion.csv")
        path.write_text(_csv_text([cohesion], list(cohesion)), encoding="utf-8")
        _err(f"cohesion figures written to {path}")
    return 0


def _group_required(args) -> bool:
    if not (getattr(args, "cluster", None) or getattr(args, "country", None)):
        _err("error: name a group: --cluster ID (repeatable) or --country CODE")
        return False
    return True


def cmd_communities(args, settings) -> int:
    from .. import usecases as uc

    code, result = _scoped(args, settings, lambda ctx, ref, flt: uc.communities(
        ctx, ref, flt, top=args.top, seed=args.seed))
    if code:
        return code
    _emit(json.dumps(result, indent=2, default=_json_default), args.out)
    return 0


def cmd_evolution(args, settings) -> int:
    from .. import usecases as uc

    if not _group_required(args):
        return 2
    code, result = _scoped(args, settings, lambda ctx, ref, flt: uc.evolution(
        ctx, ref, flt, window=args.window or None))
    if code:
        return code
    if args.format == "json":
        _emit(json.dumps(result, indent=2, default=_json_default), args.out)
        return 0
    rows = [{k: v for k, v in row.items() if not isinstance(v, dict | tuple)}
            for row in result["years"]]
    _emit(_csv_text(rows, list(rows[0]) if rows else ["year"]), args.out)
    return 0


def cmd_links(args, settings) -> int:
    from .. import usecases as uc

    if not _group_required(args):
        return 2
    code, items = _scoped(args, settings, lambda ctx, ref, flt: uc.links(
        ctx, ref, flt, top=args.top))
    if code:
        return code
    if args.format == "json":
        _emit(json.dumps({"items": items, "count": len(items)}, indent=2,
                         default=_json_default), args.out)
        return 0
    for item in items:
        shared = ", ".join(item["shared_partners"]) or "none"
        _echo(f"{item['rank']:>3}. {item['u']['name']} – {item['v']['name']} "
              f"score {item['score']:.3f}; shared partners: {shared}"
              + ("; complementary kinds" if item["complementary"] else ""))
    return 0


def cmd_synergy(args, settings) -> int:
    from .. import usecases as uc

    if not _group_required(args):
        return 2
    code, result = _scoped(args, settings, lambda ctx, ref, flt: uc.synergy(ctx, ref, flt))
    if code:
        return code
    _emit(json.dumps(result, indent=2, default=_json_default), args.out)
    return 0


def cmd_recommend(args, settings) -> int:
    from .. import usecases as uc

    code, items = _use_case(settings, lambda ctx: uc.recommendations(
        ctx, args.actor_id, top=args.top))
    if code:
        return code
    if args.format == "json":
        _emit(json.dumps({"actor_id": args.actor_id, "recommendations": items}, indent=2,
                         default=_json_default), None)
        return 0
    for rank, item in enumerate(items, start=1):
        shared = ", ".join(item.get("shared_partners") or []) or "none"
        _echo(f"{rank:>3}. {item.get('name') or item['id']} ({item.get('kind')}) "
              f"score {item['score']:.3f}, distance {item.get('distance')}; "
              f"shared partners: {shared}"
              + ("; complementary kinds" if item.get("complementary") else ""))
    return 0


def cmd_scorecard(args, settings) -> int:
    from .. import usecases as uc

    code, card = _use_case(settings, lambda ctx: uc.scorecard(ctx, args.cluster_id))
    if code:
        return code
    if args.format == "json":
        _emit(json.dumps(card, indent=2, default=_json_default), None)
        return 0
    _emit(scorecard_markdown(card), None)
    return 0


def cmd_evaluate_links(args, settings) -> int:
    from ..linkprediction import (
        animator_backtest,
        evaluate_store,
        record_from_protocol,
        store_dated_data,
        track_record_of,
        track_record_sentence,
    )

    if args.test_years is not None and args.test_years < 1:
        _err("error: --test-years must be at least 1")
        return 2
    store = _store(settings)
    try:
        data = store_dated_data(store)
        dated = data.dated_share() >= 0.9 and len(data.years) >= 2
        table = record = None
        if dated:
            try:
                table = animator_backtest(data, train_until=args.train_until,
                                          test_years=args.test_years, seed=args.seed)
            except ValueError as exc:
                _err(f"error: {exc}")
                return 2
            record = record_from_protocol(table)
        else:
            if args.train_until is not None or args.test_years is not None:
                _err("error: the loaded projects have no start dates: --train-until and "
                     "--test-years need dated data")
                return 2
            record = track_record_of(data)
        extra = None
        if args.extras or not dated:
            extra = evaluate_store(store, protocol=args.protocol, k=args.k, seed=args.seed)
    finally:
        store.close()
    if args.format == "json":
        _emit(json.dumps({"protocol": table, "track_record": record, "global": extra},
                         indent=2, default=_json_default), None)
        return 0
    if table is not None:
        _echo(f"Animator's back-test: ties up to {table['train_until']}, new partners of "
              f"{table['test_years'][0]}-{table['test_years'][1]}; "
              f"{table['n_evaluated']:,} organisations evaluated "
              f"({table['n_train_actors']:,} in training, {table['n_train_ties']:,} ties, "
              f"{table['n_new_ties']:,} new ties among them)")
        k = table["k"]
        _echo(f"  {'method':<26}{'precision@' + str(k):>14}{'recall@' + str(k):>11}"
              f"{'hit rate':>10}{'seconds':>9}")
        for name, m in table["methods"].items():
            _echo(f"  {name:<26}{m['precision_at_k']:>14.4f}{m['recall_at_k']:>11.4f}"
                  f"{m['hit_rate']:>10.1%}{m['seconds']:>9.1f}")
        ratio = table["ratio_to_best_baseline"]
        if ratio is not None:
            _echo(f"  recommender / best classic index ({table['best_baseline']}): "
                  f"{ratio:.2f}x")
        if table["model"]:
            _echo(f"  model: {table['model']['kind']}, fitted on {table['model']['fitted_on']}")
            val = table["model"].get("validation") or {}
            if val:
                scores = ", ".join(f"{name} {val[name]:.3f}" for name in
                                   ("model", "weighted_adamic_adar", "common_neighbors"))
                _echo(f"  ranking used: {table['model']['choice']} (precision@{k} on "
                      f"{val['organisations']:,} held-out organisations of that split: "
                      f"{scores})")
    _echo(f"Track record: {track_record_sentence(record)}")
    if extra is not None:
        _echo(f"Global back-test, {extra['protocol']}")
        _echo(f"  ties {extra['ties']:,}; hidden new ties {extra['n_positive']:,}; candidate "
              f"pool {extra['pool']} ({extra['pool_size']:,} pairs, "
              f"{extra['positives_in_pool']:,} of them hidden ties)")
        _echo(f"  {'method':<24}{'precision@' + str(extra['k']):>14}{'AUC':>8}"
              f"{'lift vs random':>16}{'lift vs PA':>12}")
        for name, m in extra["methods"].items():
            def ratio_text(value):
                return "-" if value is None else f"{value:.2f}"
            auc = "-" if m["auc"] is None else f"{m['auc']:.3f}"
            _echo(f"  {name:<24}{m['precision_at_k']:>14.3f}{auc:>8}"
                  f"{ratio_text(m['lift_vs_random']):>16}"
                  f"{ratio_text(m['lift_vs_preferential_attachment']):>12}")
    return 0


def scorecard_markdown(card: dict) -> str:
    def show(line):
        value = line["value"]
        if value is None:
            return "no data"
        if line["unit"] == "share":
            return f"{100 * value:.1f} %"
        if isinstance(value, float) and not value.is_integer():
            return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"
        if isinstance(value, float):
            return f"{value:,.0f}"
        return f"{value:,}"

    out = [f"# Scorecard: {card['cluster']['name']}", ""]
    if card.get("synthetic"):
        out += ["> Synthetic data: members, projects and outputs are generated.", ""]
    out += [f"Progress judged as of {card['as_of'] or 'unknown'}.", "",
            "| grid | figure | value | target | status | source |", "|---|---|---|---|---|---|"]
    for line in card["lines"]:
        detail = line.get("detail") or {}
        target = detail.get("target") if isinstance(detail, dict) else None
        target_text = f"{target:,.0f} ({detail['period'][0]}-{detail['period'][1]})" \
            if target is not None else ""
        note = f" ({line['note']})" if line["note"] else ""
        out.append(f"| {line['grid_item']} | {line['label']} | {show(line)} | {target_text} | "
                   f"{line['status'].replace('_', ' ')} | {line['source']}{note} |")
    return "\n".join(out) + "\n"
