#!/usr/bin/env python3
"""Writes a training-history file for measuring `skillbridge import training-records`:
N records of the people gen-import-bench.py writes (B0000001...), over historical
programs of 2019-2024, each person at most once per program.

    scripts/gen-import-bench.py OUT_DIR --months 0      # the employees first
    scripts/gen-training-records.py OUT_DIR [--records 100000] [--employees 100000] [--programs 2000]
"""
import argparse, os, random

TOPICS = ["班组长轮训", "安全生产", "质量工具", "精益生产", "设备点检", "TPM 全员维护", "数控编程",
          "焊接工艺", "涂装工艺", "客户服务", "营销技巧", "新员工入职", "项目管理", "财务基础", "领导力"]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--employees", type=int, default=100_000)
    ap.add_argument("--programs", type=int, default=2_000)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rnd = random.Random(11)
    programs = []
    for i in range(a.programs):
        year = 2019 + i * 6 // a.programs
        month, day = rnd.randint(1, 12), rnd.randint(1, 20)
        programs.append((f"OLD-{year}-{i:05d}", f"{rnd.choice(TOPICS)}（{year}第{i % 40 + 1}期）",
                         f"{year}-{month:02d}-{day:02d}", rnd.choice([4, 8, 12, 16, 24, 32, 40])))
    seen = set()
    with open(os.path.join(a.out, "training-records.csv"), "w", encoding="utf-8") as f:
        f.write("项目编码,项目名称,工号,开始日期,完成日期,状态,学时,成绩,人均费用\n")
        written = 0
        while written < a.records:
            p = rnd.randrange(a.programs)
            e = rnd.randint(1, a.employees)
            if (p, e) in seen:
                continue
            seen.add((p, e))
            code, title, start, hours = programs[p]
            kind = rnd.random()
            if kind < 0.8:
                y, m, d = (int(x) for x in start.split("-"))
                done = f"{y}-{m:02d}-{d + rnd.randint(0, 7):02d}"
                f.write(f"{code},{title},B{e:07d},{start},{done},已完成,{hours},{rnd.randint(60, 100)},{hours * 50}\n")
            elif kind < 0.95:
                f.write(f"{code},{title},B{e:07d},{start},,未完成,{hours // 2},,{hours * 50}\n")
            else:
                f.write(f"{code},{title},B{e:07d},{start},,已取消,0,,\n")
            written += 1

if __name__ == "__main__":
    main()
