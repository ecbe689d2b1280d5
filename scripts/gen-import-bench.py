#!/usr/bin/env python3
"""Writes import benchmark files: N employees (CSV) placed in the demo company's
departments, one KPI definition, and N x M monthly KPI values in the long format.

    scripts/gen-import-bench.py OUT_DIR [--employees 100000] [--months 60]
"""
import argparse, os, random

DEPARTMENTS = ["PROD1-STAMP", "PROD1-WELD", "PROD2-MACH", "PROD2-ASSY", "PROD3-PAINT", "PROD3-FINAL",
               "EQP-M1", "QA-PQC", "MKT-EAST", "CS-HOTLINE", "RD-PROD", "HR-OPS"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--employees", type=int, default=100_000)
    ap.add_argument("--months", type=int, default=60)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rnd = random.Random(7)
    with open(os.path.join(a.out, "employees.csv"), "w", encoding="utf-8") as f:
        f.write("工号,姓名,部门,岗位,直属上级,入职日期,状态,城市,手机\n")
        for i in range(1, a.employees + 1):
            manager = f"B{(i - 1) // 20 * 20 + 1:07d}" if i % 20 != 1 else (f"B{i - 20:07d}" if i > 20 else "")
            name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN)
            f.write(f"B{i:07d},{name},{DEPARTMENTS[i % len(DEPARTMENTS)]},生产操作工,{manager},"
                    f"20{rnd.randint(5, 24):02d}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d},在职,株洲,13{rnd.randint(0, 999999999):09d}\n")
    with open(os.path.join(a.out, "kpis.csv"), "w", encoding="utf-8") as f:
        f.write("指标编码,指标名称,单位,方向,汇总,来源系统\nOUTPUT,产量,件,越高越好,求和,MES\n")
    with open(os.path.join(a.out, "kpi-values.csv"), "w", encoding="utf-8") as f:
        f.write("工号,指标编码,期间,数值,来源\n")
        for i in range(1, a.employees + 1):
            base = 800 + (i % 97)
            for m in range(a.months):
                y, mo = 2021 + m // 12, m % 12 + 1
                f.write(f"B{i:07d},OUTPUT,{y}-{mo:02d},{base + (m * 7 + i) % 50},business\n")

if __name__ == "__main__":
    main()
