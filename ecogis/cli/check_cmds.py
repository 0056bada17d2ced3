"""``ecogis check``: screen project sites against a project's control layers and write the reports."""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click

from ecogis.cli.common import (
    EXIT_VERDICT,
    emit_json,
    handle_errors,
    json_option,
    lang_option,
    require_number,
    show_progress,
)
from ecogis.cli.report_options import docx_options, report_options
from ecogis.cli.vertex_options import vertex_options, vertex_spec
from ecogis.error_messages import error
from ecogis.first_imports import first_imports
from ecogis.layer_info import LayerInfo

FORMATS = ("html", "docx", "xlsx", "json")
BATCH_FORMATS = ("xlsx", "json")
OUTSIDE = {"zh": "位于覆盖范围外", "en": "outside the coverage of"}  # a batch site's worst "finding" is a coverage gap
LEVELS = ("符合", "无法判定", "需论证", "限制", "禁止", "clear", "undetermined", "needs-assessment", "restricted",
          "prohibited")


@click.command(name="check")
@click.argument("site", required=False)
@click.option("--at", "at", metavar="LON,LAT|WKT",
              help="Site given on the command line instead of a file: 'lon,lat', Gauss-Kruger 'X,Y' "
                   "(CRS inferred from the zone prefix, either axis order) or a WKT geometry.")
@click.option("--project", "-p", "project", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Project YAML (layers, boundary, rules, buffers) or a GeoPackage with layers named by kind.")
@click.option("--buffer", "buffers", metavar="M1,M2,...",
              help="Buffer distances in metres (geodesic), e.g. 500,1000,5000. Default: project, then rules file.")
@click.option("--rules", type=click.Path(exists=True, dir_okay=False),
              help="Your rules YAML on top of the defaults (same id replaces a default rule).")
@click.option("--site-crs", metavar="CRS",
              help="CRS of the site when the file has none or a wrong one: EPSG:4529, GCJ-02 (Amap), BD-09 (Baidu).")
@click.option("--cm", type=float,
              help="Central meridian (°E) of a site file's Gauss-Kruger coordinates without zone prefix.")
@click.option("--transform", "transform", type=click.Path(exists=True, dir_okay=False), metavar="PARAMS.yaml",
              help="Apply fitted datum parameters (ecogis transform fit) to the site file, through PROJ.")
@click.option("--at-date", "at_date", metavar="YYYY-MM-DD",
              help="Check date: the rules whose legal text is in force on it apply (default: today).")
@click.option("--use", "site_use", metavar="USE",
              help="What the site is for (well, outfall, heating ...): selects use-specific rules.")
@click.option("--industry", metavar="CODE[:NAME]",
              help="The project's industry as a GB/T 4754-2017 code (C2614, C26, D4411), optionally with its name "
                   "after ':'; matched against the 生态环境准入清单 of the control units.")
@click.option("--description", metavar="TEXT", help="A short description of the project (matched against the "
                                                    "keywords of the access lists).")
@click.option("--project-info", "project_info", type=click.Path(exists=True, dir_okay=False), metavar="FILE.yaml",
              help="The project's description (industry, industry_name, type linear/point/area, description, use). "
                   "Precedence: these options > site attributes (行业代码, 项目类型 ...) > this file.")
@click.option("--out", "-o", "out", type=click.Path(file_okay=False),
              help="Output folder for the reports (check.html, check.docx, check.xlsx, check.json). Without it "
                   "the summary is printed (the full result with --json) and no file is written.")
@click.option("--format", "formats",
              help="Comma-separated report formats: html, docx, xlsx, json. Default: all four; with --batch "
                   "xlsx,json (the only batch formats).")
@click.option("--fail-on", "fail_on", type=click.Choice(LEVELS),
              help="Exit 3 when the overall verdict is at or above this level (for scripts). Levels: 符合 < "
                   "无法判定 (a site outside a layer's coverage) < 需论证 < 限制 < 禁止.")
@click.option("--batch", is_flag=True,
              help="Many independent sites (up to 10⁵ and more): progress bar, results streamed per chunk of "
                   "sites to XLSX/JSON, one row per site, rule texts once in a rules table (findings carry "
                   "rule_id), no map.")
@click.option("--findings", "findings_detail", type=click.Choice(["summary", "all"]), default="summary",
              show_default=True,
              help="With --batch: 'summary' lists overlaps and every finding that is not 符合 and gives per site "
                   "and layer the nearest distance and the count within each buffer; 'all' lists every finding "
                   "(every feature within the buffers), still streamed.")
@click.option("--relations", type=click.Choice(["all", "intersects"]), default="all", show_default=True,
              help="intersects: overlaps (areas, lengths) only, no buffers and no nearest feature (stated in the "
                   "notes; verdicts then cover overlaps only).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="With --batch: screen the chunks of sites in this many processes (one per core); same findings.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="With --batch: 'dask' screens partitions of sites on a Dask cluster (--scheduler, else a local "
                   "cluster of --workers processes; needs the extra ecogis[dask]) and also writes the site rows as "
                   "partitioned GeoParquet (check_sites.parquet); same findings, sites in zone/Hilbert order.")
@click.option("--scheduler", metavar="tcp://HOST:PORT", help="With --engine dask: the Dask scheduler to use.")
@click.option("--overwrite", is_flag=True, help="Replace existing report files.")
@click.option("--versions", metavar="NAME@V1,NAME@V2",
              help="Re-screen against two published versions of a layer (ecogis publish): list the sites whose "
                   "verdict or overlap changes, with the area gained and lost; --out writes versions.xlsx/.json.")
@click.option("--results-to", "results_to", metavar="STORE",
              help="Also append the result to the results tables of a PostGIS database (postgresql://...; "
                   "password from PGPASSWORD or pgpass) or a GeoPackage: ecogis_check_runs, _sites, _findings. "
                   "With --batch: one row per site in ?table=NAME (default ecogis_batch_sites), the findings in "
                   "&findings=NAME when given; a run is written whole or not at all.")
@report_options
@click.option("--skip-empty", is_flag=True,
              help="Leave site features without geometry out of the check (stated as a note); "
                   "without it such a feature is an error.")
@vertex_options
@click.option("--corridor", "corridor_m", type=float, metavar="WIDTH",
              help="Width in metres of the working corridor (作业带) of a line site: its temporary land take "
                   "(m², 公顷, 亩) in each zone crossed, beside the crossing length.")
@click.option("--no-cache", "no_cache", is_flag=True,
              help="Read the project's layers from their files, not from the layer cache (also ECOGIS_NO_CACHE=1).")
@json_option
@lang_option
@handle_errors
def check(site, at, project, buffers, rules, site_crs, cm, transform, at_date, site_use, industry, description,
          project_info, out, formats, fail_on, batch, findings_detail, relations, workers, engine, scheduler,
          overwrite, versions, results_to, skip_empty, as_line, as_polygon, group,
          order, corridor_m, no_cache, as_json, lang, notes):
    """Screen a project site against every control layer and write the report.

    SITE is a file any ecogis reader takes: the land-survey coordinate exchange text (坐标交换文件),
    shapefile, GeoPackage, GeoJSON, KML, CSV/XLSX of points. Or give --at lon,lat / --at WKT. A table
    of turning points becomes a line with --as-line (a polygon with --as-polygon); a line site is
    screened as linear infrastructure unless --use says otherwise.

    For each layer the check reports overlap area (m², 公顷, 亩; official ellipsoidal method) and share of
    the site, overlap length for lines, the nearest feature with its geodesic distance, every feature
    within each buffer distance, and the rule that applies (禁止/限制/需论证/符合, rule text, legal
    basis). A site, or the part of it, outside a layer's coverage (the layer's coverage: in the project
    file, else the project boundary) is 无法判定 for that layer, never 符合. The overall verdict is the
    worst finding.

    \b
    Examples:
      ecogis check layers/sites/sites_zone41.txt --project layers/project.yaml --out maps/check
      ecogis check --at 121.85,40.95 --project layers/project.yaml --json
      ecogis check --at 4536163.95,41406966.59 --project layers/project.yaml --json   # GK zone 41 X,Y
      ecogis check --at 121.8562,40.9543 --site-crs GCJ-02 -p layers/project.yaml --lang en --out maps/c2
      ecogis check layers/sites/pipeline.geojson -p layers/project.yaml --buffer 500,1000 --fail-on 限制 --out maps/pipe
      ecogis check layers/sites/points.csv -p layers/project.yaml --batch --format xlsx,json --out maps/batch
      ecogis check parcels.parquet -p layers/project.yaml --batch --engine dask --workers 2 --out maps/batch
      ecogis check turning_points.csv -p layers/project.yaml --as-line --order 桩号 --corridor 20

    Exit codes: 0 the check ran (whatever the verdict), 2 bad input, 3 verdict at or above --fail-on.
    """
    with first_imports("ecogis.check"):
        from ecogis.check import check as run_check
    from ecogis.layer_cache import switched_off
    from ecogis.rules import verdict_rank
    from ecogis.site_input import parse_at

    if no_cache:
        click.get_current_context().with_resource(switched_off())
    if industry is not None:
        from ecogis.zoning.industry import parse_industry

        industry = parse_industry(industry)  # a bad code is an error before anything is read
    if (site is None) == (at is None):
        raise error("cli.one_site", hint="cli.one_site_example")
    if results_to and versions:
        raise error("store.results_single", hint="store.results_single_hint")
    if versions:
        from ecogis.cli.publish_cmds import check_versions

        return check_versions(site if site is not None else parse_at(at, site_crs), project, versions, out=out,
                              formats=formats, overwrite=overwrite, as_json=as_json, lang=lang, buffers=buffers,
                              rules=rules, site_crs=site_crs, at_date=at_date)
    formats = formats or ",".join(BATCH_FORMATS if batch else FORMATS)
    fmts = [f.strip().lower() for f in formats.split(",") if f.strip()]
    bad = [f for f in fmts if f not in FORMATS]
    if bad:
        raise error("cli.unknown_format", format=repr(bad[0]), formats=", ".join(FORMATS), hint="cli.use_formats")
    other = sorted(set(fmts) - set(BATCH_FORMATS)) if batch else []
    if other:
        raise error("cli.batch_formats", formats=" and ".join(BATCH_FORMATS), other=", ".join(other),
                    hint="cli.batch_formats_hint")
    targets = {}
    if out is not None:
        from ecogis.outputs import check_output_path

        site_input = None if site is None else Path(site)
        for f in fmts:
            targets[f] = check_output_path(Path(out) / f"check.{f}", overwrite=overwrite,
                                           inputs=[site_input, project])
    vertices = vertex_spec(as_line, as_polygon, group, order)
    require_number(corridor_m, "--corridor", above=0)
    if workers > 1 and not batch:
        raise error("scale.workers_need_batch", hint="scale.add_batch")
    dask_options = _engine_options(engine, scheduler, batch, out, overwrite)
    if corridor_m is not None and batch:
        raise error("inputs.corridor_not_batch")
    the_site = site if site is not None else parse_at(at, site_crs)
    if site is not None and (cm is not None or transform is not None):  # read here with the options read_site lacks
        from ecogis.io import read_layer

        the_site = read_layer(site, kind="site", crs=site_crs, cm=cm, transform=transform)
        notes.extend(n for n in LayerInfo.of(the_site).notes if n not in notes)
        site_crs = None  # settled (and any web-map conversion done) by read_layer
    if batch:
        _check_batch(the_site, project, targets, fail_on=fail_on, as_json=as_json, lang=lang, notes=notes,
                     overwrite=overwrite, buffers=buffers, rules=rules, site_crs=site_crs, site_use=site_use,
                     findings=findings_detail, skip_empty=skip_empty, vertices=vertices, at_date=at_date,
                     relations=relations, workers=workers, industry=industry, description=description,
                     project_info=project_info, results_to=results_to, site_input=site if site is not None else at,
                     **dask_options)
        return
    if "docx" in targets:  # the DOCX figures' process imports matplotlib while the check runs
        from ecogis.render.docx_figures import end_early, start_early

        start_early()
        click.get_current_context().call_on_close(end_early)
    result = run_check(the_site, project, buffers=buffers, rules=rules, site_crs=site_crs, site_use=site_use,
                       skip_empty=skip_empty, vertices=vertices, corridor_m=corridor_m, at_date=at_date,
                       industry=industry, description=description, relations=relations, project_info=project_info)
    for n in notes:
        if n not in result.assumptions:
            result.assumptions.append(n)
    written = _write_reports(result, targets, lang=lang, overwrite=overwrite)
    stored = None
    if results_to:
        from ecogis.cli.publish_cmds import store_results

        _refuse_results_into_inputs(results_to, _input_paths(result))
        stored = store_results(result, results_to, project=project, site=site if site is not None else at)
    if as_json:
        payload = result.to_dict()
        payload["outputs"] = [str(p) for p in written]
        if stored is not None:
            payload["results_to"] = stored.to_dict()
        emit_json(payload)
    else:
        _echo_summary(result, written, lang)
        if stored is not None:
            click.echo(f"{stored.store}: run {stored.run_id} ({stored.sites} site(s), {stored.findings} finding(s))")
    if fail_on and verdict_rank(result.verdict) >= verdict_rank(fail_on.replace("-", " ")):
        sys.exit(EXIT_VERDICT)


def _engine_options(engine, scheduler, batch, out, overwrite) -> dict:
    """check_batch's engine keywords for --engine/--scheduler (the GeoParquet folder under --out)."""
    if engine == "local":
        if scheduler:
            raise error("scale.scheduler_needs_dask")
        return {}
    if not batch:
        raise error("scale.engine_needs_batch", hint="scale.add_batch")
    from ecogis.engine_dask import parquet_target

    folder = None if out is None else parquet_target(Path(out) / "check_sites.parquet", overwrite=overwrite)
    return {"engine": engine, "scheduler": scheduler, "parquet_dir": folder}


def _write_reports(result, targets, *, lang, overwrite) -> list[Path]:
    """Write the reports ``targets`` ({format: path}, one folder) as one set: all of them or none.

    They are written into a hidden temporary folder and moved into place together, so a failed or
    interrupted run leaves no partial set (and no "output exists" for the rerun). The DOCX's figures
    are started first (drawn in a forked process where the platform allows) and the DOCX written last,
    so that the figures are drawn while the other reports are written."""
    if not targets:
        return []
    import contextlib

    from ecogis.outputs import atomic_folder

    folder = next(iter(targets.values())).parent
    names = [p.name for p in targets.values()]
    with atomic_folder(folder, names, overwrite=overwrite, inputs=_input_paths(result)) as tmp, \
            contextlib.ExitStack() as stack:
        figures = None
        if "docx" in targets:
            from ecogis.render.check_docx import start_figures

            figures = stack.enter_context(start_figures(result, lang, docx_options()["template"]))
        for fmt, path in sorted(targets.items(), key=lambda item: item[0] == "docx"):
            dest = tmp / path.name
            if fmt == "json":
                from ecogis.outputs import write_text_atomic

                text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str)
                write_text_atomic(dest, text)
            elif fmt == "html":
                from ecogis.render.check_html import render_check_html

                render_check_html(result, dest, lang=lang)
            elif fmt == "docx":
                from ecogis.render.check_docx import render_check_docx

                render_check_docx(result, dest, lang=lang, figures=figures, **docx_options())
            elif fmt == "xlsx":
                from ecogis.render.check_xlsx import render_check_xlsx

                render_check_xlsx(result, dest, lang=lang)
    return list(targets.values())


def _refuse_results_into_inputs(results_to, inputs) -> None:
    """EcogisError when the GeoPackage of ``--results-to`` is one of the files the check read."""
    from ecogis.outputs import refuse_inputs
    from ecogis.store.results_target import parse_results_target

    target = parse_results_target(results_to)
    if target.path is not None:
        refuse_inputs(target.path, inputs)


def _input_paths(result) -> list:
    """Every file the check read: site, project, its layers and boundary, rules files."""
    inputs = result.inputs
    project = inputs.get("project") or {}
    specs = list((project.get("layers") or {}).values()) + [project.get("boundary") or {}]
    paths = [(inputs.get("site") or {}).get("path"), project.get("path"), project.get("rules_path")]
    paths += [spec.get("path") for spec in specs] + list(inputs.get("rules_files") or [])
    return [p for p in paths if isinstance(p, str) and p]


#: the words of the summaries that check_text does not hold, per language
SUMMARY_WORDS = {
    "zh": {"nearest": "最近", "within": "；{buffer} m 内 {count} 个", "sites": "场址：",
           "findings": "；共 {total} 条结果，列出 {listed} 条",
           "more_sites": "  …… 另有 {count} 个场址（见 XLSX/JSON）",
           "more_gaps": "  …… 另有 {count} 条（见 JSON 的 coverage_gaps）",
           "summary_only": "  缓冲距离内结论为符合的要素按场址计数，未逐条列出；--findings all 列出全部结果"},
    "en": {"nearest": "nearest", "within": "; {count} within {buffer} m", "sites": "sites: ",
           "findings": "; {total} findings, {listed} listed",
           "more_sites": "  ... {count} more sites (see the XLSX/JSON)",
           "more_gaps": "  ... {count} more (see the JSON coverage_gaps)",
           "summary_only": "  features within the buffers that are clear are counted per site, not listed; "
                           "--findings all lists every finding"},
}


def _echo_summary(result, written, lang) -> None:
    """The 无法判定 banner, overall verdict, every finding that is not 符合 or is an overlap, then per site
    and layer the count of features within the buffers and the nearest distance."""
    from ecogis.render import check_text as T
    from ecogis.render.corridor_text import corridor_lines
    from ecogis.render.coverage_text import banner_lines

    for line in banner_lines(result, lang):
        click.echo(line)
    click.echo(f"{T.t('overall', lang)}: {T.verdict_label(result.verdict, lang)}")
    shown, nearest, clear_within = T.split_findings(result)
    for f in shown:
        click.echo(f"  [{T.verdict_label(f['verdict'], lang)}] {f['site']} {T.RELATION[lang][f['relation']]} "
                   f"{f['layer']}/{f['feature']}{'/' + f['zone'] if f['zone'] else ''} {_figures(f)}")
    within = Counter((f["site"], f["layer"]) for f in shown + clear_within if f["relation"] == "within_buffer")
    for f in nearest:
        if f["distance_m"]:
            n = within.get((f["site"], f["layer"]), 0)
            words = SUMMARY_WORDS[lang]
            extra = words["within"].format(count=n, buffer=f"{max(result.buffers_m):g}")
            click.echo(f"  {f['site']} {f['layer']}: {words['nearest']} {f['feature']} {f['distance_m']:.1f} m"
                       f"{extra if n else ''}")
    for line in corridor_lines(result, lang):
        click.echo(line)
    click.echo(T.table_note(result, lang))
    for p in written:
        click.echo(f"wrote {p}")


def _check_batch(site, project, targets, *, fail_on, as_json, lang, notes, overwrite, results_to=None, site_input=None,
                 **options) -> None:
    """Batch mode: screen chunk by chunk, streaming each chunk to the XLSX/JSON ``targets`` (and the JSON
    document to stdout with --json), then print the summary; memory does not grow with the findings."""
    from ecogis.check_batch import check_batch
    from ecogis.render.batch_output import write_batch
    from ecogis.rules import verdict_rank
    from ecogis.store.results_batch import BatchResultsWriter

    stored = [BatchResultsWriter(results_to, project=str(project), site_input=str(site_input))] if results_to else []
    batch = check_batch(site, project, progress=show_progress(), keep_sites=bool(stored), **options)
    if results_to:
        _refuse_results_into_inputs(results_to, _input_paths(batch))
    batch.assumptions.extend(n for n in notes if n not in batch.assumptions)
    stdout = sys.stdout if as_json else None
    written = write_batch(batch, targets, lang=lang, overwrite=overwrite, inputs=_input_paths(batch),
                          json_stream=stdout, also=stored)
    written += [options["parquet_dir"]] if options.get("parquet_dir") else []  # written by the dask workers
    if not as_json:
        _echo_batch_summary(batch, written, lang)
        for s in stored:
            click.echo(f"{s.target}: run {s.run_id} ({s.sites} site(s), {s.findings} finding(s))")
    if fail_on and verdict_rank(batch.verdict) >= verdict_rank(fail_on.replace("-", " ")):
        sys.exit(EXIT_VERDICT)


def _echo_batch_summary(batch, written, lang, shown=20) -> None:
    """Batch mode: overall verdict, sites per verdict, then the first ``shown`` sites that are not 符合
    (worst first) with their worst finding; the full table is in the XLSX/JSON."""
    from ecogis.render import check_text as T
    from ecogis.render.coverage_text import banner_lines
    from ecogis.rules import VERDICTS, verdict_rank

    words = SUMMARY_WORDS[lang]
    banner = banner_lines(batch, lang)
    for line in banner[:shown]:
        click.echo(line)
    if len(banner) > shown:
        click.echo(words["more_gaps"].format(count=len(banner) - shown))
    click.echo(f"{T.t('overall', lang)}: {T.verdict_label(batch.verdict, lang)}")
    sites = batch.site_rows()
    counts = sites["verdict"].value_counts()
    click.echo(words["sites"] + ", ".join(
        f"{T.verdict_label(v, lang)} {int(counts.get(v, 0))}" for v in reversed(VERDICTS)) +
        words["findings"].format(total=batch.findings_total, listed=batch.findings_listed))
    rank = sites["verdict"].map(verdict_rank)
    worst = sites[rank > 0].assign(_rank=rank[rank > 0]).sort_values(["_rank", "id"], ascending=[False, True])
    for r in worst.head(shown).itertuples():
        relation = T.RELATION[lang].get(r.worst_relation) or OUTSIDE[lang]
        click.echo(f"  [{T.verdict_label(r.verdict, lang)}] {r.id} {relation} "
                   f"{r.worst_layer}/{r.worst_feature}{'/' + r.worst_zone if isinstance(r.worst_zone, str) else ''}")
    if len(worst) > shown:
        more = len(worst) - shown
        click.echo(words["more_sites"].format(count=more))
    if batch.findings_detail == "summary":
        click.echo(words["summary_only"])
    click.echo(T.table_note(batch, lang))
    for p in written:
        click.echo(f"wrote {p}")


def _figures(f) -> str:
    figures = []
    if f["overlap_area_m2"] is not None:
        figures.append(f"{f['overlap_area_m2']:.2f} m² = {f['overlap_area_ha']:.4f} ha = {f['overlap_area_mu']:.2f} 亩 "
                       f"({f['share_of_site'] * 100:.2f}%)")
    if f["overlap_length_m"] is not None:
        figures.append(f"{f['overlap_length_m']:.1f} m")
    if f["relation"] != "intersects" and f["distance_m"] is not None:
        figures.append(f"{f['distance_m']:.1f} m")
    return "; ".join(figures)
