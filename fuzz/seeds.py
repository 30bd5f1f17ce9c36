#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/ from small valid
examples (and a few near misses). Nothing opaque is committed: run this before fuzzing
(scripts/fuzz does). Existing files in the corpora are kept; seeds are named seed-*."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

HEADER_JA = "事業所番号,事業所名,種別,都道府県,郵便番号,住所,メールアドレス"
HEADER_EN = "number,name,kind,prefecture,postal_code,address,email"
ROW1 = "1310000001,介護事業所あ,介護,13,100-0001,東京都千代田区1-1,a@example.jp"
ROW2 = "1310000002,\"ケアセンター\"\"い\"\"\",介護,13,1000002,\"東京都港区\n2-2\",b@example.jp"
ROW_OSAKA = "2710000003,事業所う,介護,27,530-0001,大阪府大阪市北区3-3,"


def csv_seeds():
    rows = [ROW1, ROW2, ROW_OSAKA]
    texts = {
        "ja-lf": HEADER_JA + "\n" + "\n".join(rows) + "\n",
        "ja-crlf": HEADER_JA + "\r\n" + "\r\n".join(rows) + "\r\n",
        "ja-cr": HEADER_JA + "\r" + "\r".join(rows) + "\r",
        "en-reordered": "email,number,name,kind,prefecture,postal_code,address\n"
        "a@example.jp,1310000001,A,kaigo,13,1000001,Tokyo\n1310000002,B\n",
        "duplicate-and-blank": HEADER_JA + "\n" + ROW1 + "\n,,,,,,\n\n" + ROW1 + "\n",
        "bad-fields": HEADER_JA + "\n1310000001,,他,99,12,,not-an-address\n13100000011,x,介護,13,100-0001,a,\n",
        "no-prefecture": HEADER_EN + "\n1310000009,名前,介護,,100-0001,住所,\n",
        "bad-header": "事業所番号,事業所名,extra\n1,2,3\n",
        "header-only": HEADER_JA + "\n",
        "unbalanced-quote": HEADER_JA + "\n\"1310000001,a,b\n" + ROW1 + "\n",
    }
    seeds = {}
    for name, text in texts.items():
        b = text.encode("utf-8")
        seeds[f"{name}-utf8"] = bytes([0]) + b  # as is
        seeds[f"{name}-bom"] = bytes([1]) + b  # BOM added
        seeds[f"{name}-sjis"] = bytes([2]) + b  # encoded as Shift_JIS by the target
        seeds[f"{name}-fed13"] = bytes([4]) + b  # federation of Tokyo
    # Raw Shift_JIS bytes (mode 0), as Excel writes them.
    seeds["raw-sjis"] = bytes([0]) + (HEADER_JA + "\r\n" + ROW1 + "\r\n").encode("cp932")
    return seeds


def attachment_seeds():
    files = {
        "pdf": ("お知らせ.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"),
        "xlsx": ("一覧.xlsx", b"PK\x03\x04\x14\x00\x00\x00\x08\x00"),
        "docx": ("案内.DOCX", b"PK\x03\x04\x14\x00"),
        "pptx": ("説明.pptx", b"PK\x03\x04"),
        "csv": ("data.csv", "番号,名前\r\n1,あ\r\n".encode("utf-8")),
        "txt": ("readme.txt", b"plain text\n"),
        "png": ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        "jpg": ("photo.jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF"),
        "traversal": ("../../etc/passwd.txt", b"root:x:0:0\n"),
        "windows-path": ("C:\\Users\\a\\資料.pdf", b"%PDF-1.4\n"),
        "rlo": ("evil\u202efdp.exe", b"MZ\x90\x00"),
        "isolate": ("a\u2067b\u2069.txt", b"x"),
        "hidden": ("..hidden.txt", b"x"),
        "dots-spaces": (". . .x.csv", b"a,b\n"),
        "control": ("a\x00b\nc\x7f.pdf", b"%PDF-1.7"),
        "reserved": ('a<b>:c"d|e?f*.txt', b"x"),
        "mismatch": ("a.pdf", b"PK\x03\x04"),
        "html": ("a.html", b"<script>alert(1)</script>"),
        "long": ("あ" * 80 + ".pdf", b"%PDF-1.7"),
        "long-ascii": ("a" * 120 + ".pdf.txt", b"t"),
        "empty": ("a.txt", b""),
    }
    seeds = {}
    for key, (name, content) in files.items():
        n = name.encode("utf-8")[:255]
        seeds[key] = bytes([len(n)]) + n + content
    return seeds


def form_seeds():
    bodies = {
        "login": "csrf=abc&user_id=1310000001&password=Passw0rd%21",
        "password": "csrf=abc&current=a&new=b&confirm=b",
        "choice": "csrf=abc&choice=apply",
        "issuance": "csrf=abc&issuance_password=%E3%81%82a+b",
        "start": "csrf=abc&start=renewal",
        "submit": "csrf=abc&token=0123abcd",
        "inquiry": "csrf=abc&category=cert&subject=%E4%BB%B6&body=line1%0D%0Aline2&reply_to=a%40example.jp",
        "notices": "page=2&audience=all&from=2026-04-01&to=2026%2F04%2F30&keyword=%E8%A8%BC%E6%98%8E",
        "back": "back=notices&notice=42",
        "back-bad-number": "back=x&notice=-9223372036854775809",
        "reset": "csrf=abc&code=123456&new=x&confirm=x",
        "office": "csrf=abc&number=1310000001&name=%E4%BA%8B&kind=%E4%BB%8B%E8%AD%B7&prefecture=13&postal_code=100-0001&address=x&email=",
        "cert-search": "office_number=13&user_id=&serial=0a&kind=dx&status=valid&expires_from=2026-01-01&expires_to=&page=3",
        "revoke": "csrf=abc&reason=keyCompromise&confirm=1",
        "audit": "actor=admin%3Aa&action=admin.&object=office%3A1&source=127.0.0.1&from=&to=",
        "account": "csrf=abc&login=fed13&role=federation&prefecture=13",
        "duplicate": "csrf=a&csrf=b&user_id=1&user_id=2",
        "odd": "=&&a&%zz=%&+=+&csrf",
    }
    return {k: v.encode("utf-8") for k, v in bodies.items()}


BOUNDARY = "X-KAIGO-FUZZ-BOUNDARY"


def part(name, value, filename=None, ctype=None):
    disp = f'form-data; name="{name}"'
    if filename is not None:
        disp += f'; filename="{filename}"'
    head = f"Content-Disposition: {disp}\r\n"
    if ctype:
        head += f"Content-Type: {ctype}\r\n"
    return f"--{BOUNDARY}\r\n{head}\r\n".encode("utf-8") + value + b"\r\n"


def multipart_seeds():
    end = f"--{BOUNDARY}--\r\n".encode()
    notice = (
        part("csrf", b"abc")
        + part("category", b"info")
        + part("title", "お知らせ".encode())
        + part("body", "本文\r\nhttps://example.jp/".encode())
        + part("target", b"all")
        + part("start", b"2026-04-01")
        + part("files", b"%PDF-1.7\n%%EOF", "資料.pdf", "application/pdf")
        + part("files", b"a,b\r\n1,2", "../x.csv", "text/csv")
        + part("files", b"", "", "application/octet-stream")
        + end
    )
    csv = (
        part("csrf", b"abc")
        + part(
            "file",
            (HEADER_JA + "\r\n" + ROW1 + "\r\n").encode("cp932"),
            "offices.csv",
            "text/csv",
        )
        + end
    )
    star = (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; "
        f"filename*=UTF-8''%E8%B3%87%E6%96%99.txt\r\n\r\nx\r\n".encode()
        + end
    )
    return {
        # The first byte picks the handler: even = notice form, odd = CSV import.
        "notice": b"\x00" + notice,
        "csv": b"\x01" + csv,
        "filename-star": b"\x00" + star,
        "preamble": b"\x00preamble\r\n" + notice,
        "truncated": b"\x00" + notice[: len(notice) // 2],
        "no-final": b"\x01" + csv[: -len(end)],
    }


def main():
    targets = {
        "csv_import": csv_seeds(),
        "attachment_check": attachment_seeds(),
        "form_decode": form_seeds(),
        "multipart_decode": multipart_seeds(),
    }
    only = set(sys.argv[1:])
    for target, seeds in targets.items():
        if only and target not in only:
            continue
        d = os.path.join(HERE, "corpus", target)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, f"seed-{name}"), "wb") as f:
                f.write(data)
        print(f"{target}: {len(seeds)} seeds in {os.path.relpath(d)}")


if __name__ == "__main__":
    main()
