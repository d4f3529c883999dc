"""Benchmark: collecting replies from an mbox against ingesting the same attachments as files.

    python -m benchmarks.bench_mail [--replies 1000] [--work DIR]

Makes ``--replies`` distinct returned files (bench_ingest's corpus: half Word forms, half
workbooks of the fixture instrument, each filled differently), writes them as loose files
and as one reply mail each (with In-Reply-To, a short body and the file attached, base64)
into one mbox, then, each in a fresh subprocess with a new SQLite store:

* files   ``ingest`` of the folder of files (the worker process with its time budget);
* mbox    ``ingest`` of the mbox: parse each mail, decode its attachment, same pipeline.

Prints the replies/s of each, the ratio mbox/files (the cost of the mail layer) and the peak
memory (max RSS of the process and its worker).
"""

from __future__ import annotations

import argparse
import json
import mailbox
import shutil
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from benchmarks.bench_ingest import CONTENT, _vm_hwm_kb, make_corpus


def write_mbox(files: list[Path], target: Path) -> None:
    box = mailbox.mbox(str(target))
    box.lock()
    try:
        for n, path in enumerate(files):
            msg = EmailMessage()
            msg["From"] = f"Respondent {n} <r{n}@school.example>"
            msg["To"] = "advies@bestuur.example"
            msg["Subject"] = "RE: formulier"
            msg["Date"] = formatdate()
            msg["Message-ID"] = make_msgid("antwoord", domain="school.example")
            msg["In-Reply-To"] = f"<{n}.templategen@bestuur.example>"
            msg.set_content("Beste,\n\nHierbij mijn ingevulde formulier.\n\nMet groet")
            msg.add_attachment(path.read_bytes(), maintype="application",
                               subtype="octet-stream", filename=path.name)
            box.add(msg.as_bytes())
    finally:
        box.unlock()
        box.close()


def run_child(mode: str, source: Path) -> dict[str, float]:
    proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_mail", "--child", mode,
                           str(source)], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def child(mode: str, source: Path) -> None:
    import resource

    from templategen.inbox import ingest

    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "s.db"
        if mode == "files":
            outcomes = ingest([source], db=db, content_dir=CONTENT)
        else:
            outcomes = ingest([source], db=db, content_dir=CONTENT)
        assert all(o.status.startswith("accepted") for o in outcomes), outcomes[:3]
    seconds = time.perf_counter() - start
    peak_kb = max(_vm_hwm_kb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps({"seconds": seconds, "count": len(outcomes), "peak_mb": peak_kb / 1024}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--replies", type=int, default=1000)
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="tg-bench-mail-"))
    corpus = work / "files"
    if not corpus.is_dir() or len(list(corpus.iterdir())) != args.replies:
        shutil.rmtree(corpus, ignore_errors=True)
        corpus.mkdir(parents=True)
        make_corpus(corpus, args.replies)
    mbox = work / "replies.mbox"
    mbox.unlink(missing_ok=True)
    write_mbox(sorted(corpus.iterdir()), mbox)
    size_kb = sum(p.stat().st_size for p in corpus.iterdir()) // 1024
    print(f"{args.replies} replies: {corpus} ({size_kb} KB), {mbox} "
          f"({mbox.stat().st_size // 1024} KB)")
    files = run_child("files", corpus)
    mail = run_child("mbox", mbox)
    assert files["count"] == mail["count"] == args.replies
    print(f"{'source':>6} {'seconds':>8} {'replies/s':>10} {'peak MB':>8}")
    for name, result in (("files", files), ("mbox", mail)):
        print(f"{name:>6} {result['seconds']:>8.1f} {args.replies / result['seconds']:>10.0f} "
              f"{result['peak_mb']:>8.0f}")
    print(f"ratio mbox/files: {mail['seconds'] / files['seconds']:.2f}")


if __name__ == "__main__":
    main()
