#!/usr/bin/env python3
"""Writes small GSM8K-format jsonl files of one-step arithmetic word problems.

Each line is {"question": ..., "answer": ...}; the answer is a short worked step and
ends with "#### N" like GSM8K. The problems are simple on purpose: a tiny model trained
for minutes on a laptop can learn part of them, so fine-tuning shows a measurable
change in held-out loss.

Usage: python3 tools/make_arith_gsm8k.py OUT_DIR [--train 300] [--test 50] [--seed 7]
writes OUT_DIR/train.jsonl and OUT_DIR/test.jsonl (disjoint questions).
"""
import argparse
import json
import os
import random

NAMES = ["Tom", "Ana", "Lena", "Omar", "Mia", "Ravi", "Sara", "Jon", "Eva", "Kai"]
ITEMS = ["apples", "pens", "books", "coins", "cards", "shells", "stamps", "eggs"]


def problem(rng):
    name = rng.choice(NAMES)
    item = rng.choice(ITEMS)
    kind = rng.randrange(3)
    a = rng.randint(2, 40)
    b = rng.randint(2, 40)
    if kind == 0:
        q = f"{name} has {a} {item}. {name} gets {b} more. How many {item} does {name} have now?"
        n = a + b
        step = f"{a} + {b} = {n}"
    elif kind == 1:
        a, b = max(a, b), min(a, b)
        q = f"{name} has {a} {item} and gives away {b}. How many {item} are left?"
        n = a - b
        step = f"{a} - {b} = {n}"
    else:
        a = rng.randint(2, 9)
        b = rng.randint(2, 9)
        q = f"{name} buys {a} bags with {b} {item} in each bag. How many {item} does {name} buy?"
        n = a * b
        step = f"{a} * {b} = {n}"
    return q, f"{name} has {step} {item}.\n#### {n}"


def generate(count, rng, seen):
    rows = []
    while len(rows) < count:
        q, a = problem(rng)
        if q in seen:
            continue
        seen.add(q)
        rows.append({"question": q, "answer": a})
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--train", type=int, default=300)
    parser.add_argument("--test", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    seen = set()
    os.makedirs(args.out, exist_ok=True)
    for name, count in (("train", args.train), ("test", args.test)):
        with open(os.path.join(args.out, name + ".jsonl"), "w", encoding="utf-8") as f:
            for row in generate(count, rng, seen):
                f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
