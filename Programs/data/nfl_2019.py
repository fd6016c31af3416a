#!/usr/bin/env python3
"""Programs/data/nfl_2019.{csv,json}: the 2019 NFL season as item indices for bradley_terry.ppl.

Source: ../shared/data/bt/nfl_games.csv (FiveThirtyEight's nfl-elo-game data, MIT; see that
folder's README). Keeps season 2019 (regular season and playoffs), drops the drawn games,
and numbers the teams 0..31 in alphabetical order of their codes. The CSV has one row per
game (winner, loser as indices) for `ppl rank` and `--data`; the JSON adds `teams` and the
team codes (`names`) so that `ppl run --model BradleyTerry --engine rank --data` needs nothing else.

Run: python3 Programs/data/nfl_2019.py  (from the repository root)
"""
import csv
import json
import os

here = os.path.dirname(os.path.abspath(__file__))
source = os.environ.get("PPL_SHARED_DATA", os.path.join(here, "..", "..", "..", "shared", "data"))
with open(os.path.join(source, "bt", "nfl_games.csv"), newline="") as f:
    games = [r for r in csv.DictReader(f) if r["season"] == "2019" and r["tie"] == "0"]
names = sorted({r["winner"] for r in games} | {r["loser"] for r in games})
index = {name: k for k, name in enumerate(names)}
winner = [index[r["winner"]] for r in games]
loser = [index[r["loser"]] for r in games]
with open(os.path.join(here, "nfl_2019.csv"), "w", newline="") as f:
    out = csv.writer(f, lineterminator="\n")
    out.writerow(["winner", "loser"])
    out.writerows(zip(winner, loser))
with open(os.path.join(here, "nfl_2019.json"), "w") as f:
    json.dump({"teams": len(names), "winner": winner, "loser": loser, "names": names}, f)
    f.write("\n")
print(f"{len(games)} games, {len(names)} teams")
