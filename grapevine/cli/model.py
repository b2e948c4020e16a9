"""``grapevine model``: the learned models — train on the desk's decisions, list, roll back,
rescore.

A model trained with ``--from-desk`` is stored in the database (``model_version``) and made
active only when it agrees with more of the held-back decisions than the model in use;
``rollback`` switches back (to an earlier version or the shipped one); nothing is rescored
until ``grapevine model rescore`` says so.
"""

import json
from typing import Any

import click
from sqlalchemy import Engine

from grapevine.cli.common import Failure, config_option, engine, settings
from sentiment import Analyzer
from sentiment.learned import LearnedModel
from sentiment.packs import available, load_pack
from storage import model_registry as registry

MODEL_PREFIX = "grapevine-0.4+"


def active_models(eng: Engine) -> dict[str, LearnedModel]:
    """The registry's active model of each language that has one (others: the pack's)."""
    with eng.connect() as conn:
        found = registry.active_artefacts(conn)
    return {lang: LearnedModel(json.loads(artefact)) for lang, (_, artefact) in found.items()}


def _current(eng: Engine, lang: str) -> tuple[str, dict[str, Any]]:
    """The name and artefact of the model in use for ``lang``."""
    with eng.connect() as conn:
        found = registry.active_artefact(conn, lang=lang)
    if found:
        return found[0], json.loads(found[1])
    pack = load_pack(lang)
    if pack.model_path is None:
        raise Failure(f"the {lang!r} language pack has no learned model to refit")
    return pack.model_file.removesuffix(".json"), json.loads(  # type: ignore[union-attr]
        pack.model_path.read_text(encoding="utf-8")
    )


def _figures(metrics: dict[str, float]) -> str:
    parts = [f"agrees with {metrics.get('agreement', 0.0):.0%}"]
    for kind in ("complaint", "sentiment"):
        if kind in metrics:
            parts.append(f"{kind} {metrics[kind]:.0%}")
    return ", ".join(parts)


@click.group()
def model() -> None:
    """The learned models: train on the desk's decisions, list, roll back, rescore.

    \b
    Example:
      grapevine model train --from-desk
      grapevine model list
      grapevine model rollback lr1
      grapevine model rescore --open-cases
      grapevine model label 42 --not-complaint
    """


@model.command("train")
@config_option
@click.option("--from-desk", "from_desk", is_flag=True, help="Learn from the desk's decisions.")
@click.option("--lang", default="en", show_default=True, help="The language pack to refit.")
@click.option("--weight", default=3.0, show_default=True, help="How much one decision counts.")
@click.option("--min-count", default=20, show_default=True, help="Fewest decisions to learn from.")
def train(from_desk: bool, lang: str, weight: float, min_count: int) -> None:
    """Refit the learned layer on the desk's decisions; switch only when it is better.

    Every triage decision is a label: a case dismissed as "not a complaint", a case
    resolved with an action, a mention marked by hand, a sentiment corrected. A quarter of
    them is held back to compare the model before and after.

    \b
    Example:
      grapevine model train --from-desk --config mybrand/grapevine.toml
    """
    from sentiment.training import Label, train_from_desk

    if not from_desk:
        raise Failure("say what to learn from: grapevine model train --from-desk")
    if lang not in available():
        raise Failure(f"--lang {lang}: no language pack (have {', '.join(available())})")
    cfg = settings()
    eng = engine(cfg)
    with eng.connect() as conn:
        decisions = registry.desk_decisions(conn)
    labels = [
        Label(d.mention_id, d.text, d.kind, d.value, d.rating)
        for d in decisions
        if (d.language or "en") == lang
    ]
    parent, data = _current(eng, lang)
    with eng.connect() as conn:
        number = registry.count_versions(conn, lang=lang) + 1
    base = parent.split("-desk")[0]
    name = f"{base}-desk{number}"
    try:
        result = train_from_desk(
            data,
            labels,
            pack=load_pack(lang),
            name=name,
            lexicon=dict(cfg.analysis.lexicon),
            weight=weight,
            min_count=min_count,
        )
    except ValueError as exc:
        raise Failure(
            f"{exc} (dismiss cases as 'not a complaint', resolve them with an action)"
        ) from None
    except ImportError as exc:
        raise Failure(
            f"training needs numpy and scipy: pip install -e '.[train]' ({exc})"
        ) from None
    click.echo(
        f"{len(labels)} desk decisions: trained on {result.trained_on}, "
        f"held back {result.held_back}"
    )
    click.echo(f"before ({parent}): {_figures(result.before)}")
    click.echo(f"after ({name}): {_figures(result.after)}")
    metrics = {
        "trained_on": result.trained_on,
        "held_back": result.held_back,
        "before": result.before,
        "after": result.after,
    }
    artefact = json.dumps(result.artefact, separators=(",", ":")).encode("utf-8")
    with eng.begin() as conn:
        registry.add_model_version(
            conn,
            version=name,
            lang=lang,
            parent=parent,
            metrics=metrics,
            artefact=artefact,
            actor="cli",
            activate_it=result.better,
            note="active" if result.better else f"not better than {parent}: not switched",
        )
    if result.better:
        click.echo(f"switched to {name}; rescore with: grapevine model rescore --open-cases")
    else:
        click.echo(f"not better: {parent} stays in use ({name} is kept, inactive)")


@model.command("label")
@config_option
@click.argument("mention_id", type=int)
@click.option("--sentiment", type=click.FloatRange(-1.0, 1.0), default=None, help="-1..1.")
@click.option("--complaint/--not-complaint", default=None, help="Is it a complaint?")
@click.option("--attention", is_flag=True, help="It needs attention (marked by hand).")
@click.option("--by", "actor", default="cli", show_default=True, help="Who decided.")
def label(
    mention_id: int, sentiment: float | None, complaint: bool | None, attention: bool, actor: str
) -> None:
    """Record a person's decision on a mention, for the next train --from-desk.

    \b
    Example:
      grapevine model label 42 --sentiment -0.6
      grapevine model label 43 --not-complaint --by ana
      grapevine model label 44 --attention
    """
    given = [
        ("sentiment", sentiment),
        ("complaint", None if complaint is None else float(complaint)),
        ("attention", 1.0 if attention else None),
    ]
    chosen = [(kind, value) for kind, value in given if value is not None]
    if not chosen:
        raise Failure(
            "say what the decision is: --sentiment X, --complaint/--not-complaint or --attention"
        )
    eng = engine(settings())
    with eng.begin() as conn:
        if not registry.mention_exists(conn, mention_id=mention_id):
            raise Failure(f"there is no mention {mention_id}")
        for kind, value in chosen:
            registry.record_desk_label(
                conn, mention_id=mention_id, kind=kind, value=value, actor=actor
            )
    click.echo(f"mention {mention_id}: " + ", ".join(f"{k} {v:g}" for k, v in chosen))


@model.command("list")
@config_option
def list_models() -> None:
    """List the models: the shipped one of each language pack and those trained here.

    \b
    Example:
      grapevine model list
    """
    eng = engine(settings())
    with eng.connect() as conn:
        rows = registry.list_model_versions(conn)
    active = {row["lang"] for row in rows if row["active"]}
    for lang in available():
        pack = load_pack(lang)
        if pack.model is not None:
            mark = "*" if lang not in active else " "
            click.echo(f"{mark} {pack.model.name:<16} {lang}  shipped with the {pack.name} pack")
    for row in rows:
        mark = "*" if row["active"] else " "
        after = row["metrics"].get("after", {})
        when = row["created_at"].strftime("%Y-%m-%d %H:%M")
        click.echo(
            f"{mark} {row['version']:<16} {row['lang']}  {when}  from {row['parent']}, "
            f"{_figures(after)} of {row['metrics'].get('held_back', 0)} held back"
        )


@model.command("rollback")
@config_option
@click.argument("version")
def rollback(version: str) -> None:
    """Make VERSION the model in use again (a trained version, or the shipped model's name).

    \b
    Example:
      grapevine model rollback lr1
      grapevine model rollback lr1-desk1
    """
    eng = engine(settings())
    packs = [load_pack(lang) for lang in available()]
    shipped = {pack.model.name: pack.lang for pack in packs if pack.model is not None}
    with eng.begin() as conn:
        row = registry.find_version(conn, version=version)
        if row is None and version not in shipped:
            names = ", ".join(
                [*shipped, *(r["version"] for r in registry.list_model_versions(conn))]
            )
            raise Failure(f"no model {version!r} (have: {names})")
        lang = row["lang"] if row else shipped[version]
        registry.activate(conn, version=version, lang=lang, actor="cli")
    click.echo(
        f"{version} is in use for {lang}; rescore with: grapevine model rescore --open-cases"
    )


@model.command("rescore")
@config_option
@click.option("--open-cases", "open_cases", is_flag=True, help="Only the mentions of open cases.")
def rescore(open_cases: bool) -> None:
    """Analyse stored mentions again with the models in use (nothing is rescored otherwise).

    \b
    Example:
      grapevine model rescore --open-cases
    """
    from crawler.analysis_worker import analysis_columns

    cfg = settings()
    eng = engine(cfg)
    analyzer = Analyzer(
        lexicon=dict(cfg.analysis.lexicon),
        aspects={k: list(v) for k, v in cfg.analysis.aspects.items()},
        unscored_languages=cfg.analysis.unscored_languages,
        models=active_models(eng),
    )
    with eng.connect() as conn:
        mentions = registry.mentions_to_rescore(conn, open_cases=open_cases)
    rows = []
    for m in mentions:
        analysis = analyzer.analyze(m["text"], rating=m["rating"])
        columns = analysis_columns(analysis, bool(m["is_competitor"]))
        rows.append({"id": m["id"], "language": analysis.language, **columns})
    with eng.begin() as conn:
        count = registry.store_analyses(conn, rows=rows)
    what = "mentions of open cases" if open_cases else "mentions"
    click.echo(f"rescored {count} {what}")


COMMANDS = [model]
