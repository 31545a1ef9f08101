"""`hoidap` command line: ingest, list, remove, ask, eval, export-curated, serve, worker, telegram."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pydantic import ValidationError
from tqdm import tqdm

from bot.curated import CuratedAnswers
from hoidap.config import get_settings
from hoidap.store import StoreUnavailable, open_store
from hoidap.wiring import open_hoidap


def cmd_ingest(args) -> int:
    app = open_hoidap(seed=False)
    shown = sys.stderr.isatty()
    progress = (lambda it: tqdm(it, desc="Nạp văn bản", unit="tệp")) if shown else (lambda it: it)
    if shown and app.retriever.cache:  # embedding is the long part: a bar with the time left
        app.retriever.cache.progress = lambda total: tqdm(total=total, desc="Nhúng vector", unit="đoạn")
    report = app.ingest([Path(p) for p in args.paths], force=args.force, progress=progress)
    for label, ids in [("Thêm mới", report.added), ("Cập nhật", report.updated),
                       ("Không đổi", report.unchanged), ("Đã xóa", report.removed)]:
        if ids:
            print(f"{label} ({len(ids)}): {', '.join(ids)}")
    for message in report.warnings:
        print(f"Cảnh báo: {message}", file=sys.stderr)
    for message in report.errors:
        print(f"Lỗi: {message}", file=sys.stderr)
    return 1 if report.errors else 0


def cmd_docs(args) -> int:
    store = open_store(get_settings(), read_only=True)  # only reads: nothing created, no index opened or rebuilt
    docs = store.documents()
    if args.json:
        print(json.dumps([d.to_dict() for d in docs], ensure_ascii=False, indent=2))
        return 0
    for doc in docs:
        count = len(store.passages(doc.id))
        print(f"{doc.id}\t{doc.doc_type} {doc.number}\t{doc.issuer}\t{doc.date}\t{count} đoạn")
    if not docs:
        print("Chưa có văn bản nào. Dùng: hoidap ingest THƯ_MỤC")
    return 0


def cmd_remove(args) -> int:
    app = open_hoidap(seed=False)
    if not app.store.remove_document(args.doc):
        print(f"Không có văn bản '{args.doc}'. Xem danh sách: hoidap docs", file=sys.stderr)
        return 1
    app.publish()
    print(f"Đã xóa {args.doc}")
    return 0


def cmd_export_curated(args) -> int:
    """Curated answers that quote a document, as a labelled question set (bench format) for `bench.fit --add`."""
    store = open_store(get_settings(), read_only=True)
    files = {d.id: d.file_name for d in store.documents()}
    rows = [{"id": f"curated-{c.id}", "question": c.question, "kind": "curated", "doc": files[c.doc_id],
             "answer_quotes": [c.quote]} for c in CuratedAnswers(store).list() if c.quote and c.doc_id in files]
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))
    print(f"{len(rows)} câu hỏi có trích dẫn", file=sys.stderr)
    return 0


def cmd_ask(args) -> int:
    app = open_hoidap()
    if args.question:
        answer = app.answerer.ask(" ".join(args.question), session_id="cli", channel="cli")
        if args.json:
            print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        else:
            from bot.render import to_text

            print(to_text(answer))
        return 0
    for line in sys.stdin:  # batch mode: one question per line → one JSON line each
        if line.strip():
            answer = app.answerer.ask(line.strip(), session_id="", channel="cli")
            print(json.dumps(answer.to_dict(), ensure_ascii=False), flush=True)
    return 0


def cmd_eval(args) -> int:
    from bot.evaluate import evaluate, load, report

    app = open_hoidap()
    print(report(evaluate(app.answerer, load(Path(args.file)))))
    return 0


def cmd_serve(args) -> int:
    from channels.web.app import serve

    serve(host=args.host, port=args.port, workers=args.workers)
    return 0


def cmd_worker(args) -> int:
    """Run the admin uploads queued by any replica (channels/web/jobs.py), until SIGTERM or Ctrl-C."""
    from channels.web.jobs import Jobs
    from hoidap.versions import DocumentVersions

    app = open_hoidap(seed=False)
    print("Hỏi đáp 57: đang chờ việc nạp văn bản (Ctrl-C để dừng).", flush=True)
    Jobs(app, DocumentVersions(app.store)).consume()
    return 0


def cmd_telegram(args) -> int:
    settings = get_settings()
    if not settings.telegram_token:
        print("Chưa có token bot. Đặt HOIDAP_TELEGRAM_TOKEN (xem docs/channels.md).", file=sys.stderr)
        return 2
    from channels.telegram import run_polling

    run_polling(open_hoidap(settings))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hoidap", description="Hỏi đáp 57: hỏi đáp có trích dẫn văn bản")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="nạp tệp hoặc thư mục (PDF, DOCX, TXT/MD, HTML)")
    p.add_argument("paths", nargs="+")
    p.add_argument("--force", action="store_true", help="nạp lại cả tệp không đổi")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("docs", help="liệt kê văn bản đã nạp")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("remove", help="xóa một văn bản")
    p.add_argument("doc")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("ask", help="hỏi một câu (không có câu hỏi: đọc từng dòng từ stdin, in JSON)")
    p.add_argument("question", nargs="*")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", help="chấm bộ câu hỏi JSONL: trích dẫn đúng ở vị trí 1, trong 3, từ chối đúng")
    p.add_argument("file")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("export-curated", help="in các câu trả lời soạn sẵn có trích dẫn thành bộ câu hỏi có nhãn (JSONL) "
                                              "để khớp lại mô hình: python -m bench.fit --add TỆP")
    p.set_defaults(func=cmd_export_curated)

    p = sub.add_parser("serve", help="chạy trang hỏi đáp và API")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--workers", type=int, default=1,
                   help="số tiến trình (mỗi lõi CPU một tiến trình); trên 1 thì nên đặt HOIDAP_REDIS_URL (docs/deploy.md)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="chạy các việc nạp văn bản cán bộ tải lên (khi HOIDAP_SERVE_JOBS=false)")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("telegram", help="chạy bot Telegram bằng long polling (không cần địa chỉ công khai)")
    p.set_defaults(func=cmd_telegram)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except StoreUnavailable as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:  # a HOIDAP_* setting refused by hoidap.config: say which, in Vietnamese
        for error in exc.errors():
            reason = error.get("ctx", {}).get("error") or error["msg"]
            print(f"Lỗi cấu hình: {reason}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
