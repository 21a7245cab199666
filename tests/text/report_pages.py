"""The pages of a small annual report whose keyword counts are known by hand.

MD&A section (第四节 管理层讨论与分析, pages 2-3), after cleaning, is exactly:
  "一、概述" / "公司积极推进人工智能与大数据应用,坚持创新驱动。" /
  "公司尚无人工智能业务,不创新就会落后。" / "公司在深度学习领域取得技术突破,研发投入持续增加。"
Hand counts (shipped dictionaries):
  ai (whole report): 人工智能 ×3 (p2, p2 after 无, p4 公司治理), 深度学习 ×1 → 4; with negation 3 (1 negated)
  innovation (section, longest): 创新 ×2 (创新驱动, 不创新), 技术突破 ×1, 研发 ×1 → 4 hits, 2+2+4+2 = 10 chars;
      with negation: 不创新 dropped → 3 hits, 8 chars
  data_assets (report): 大数据 ×1 → 1
Section characters (no whitespace): 4 + 24 + 19 + 25 = 72.
"""

PAGES = [
    ["目录", "第三节 公司业务概要......8", "第四节 管理层讨论与分析......12", "第五节 公司治理......30"],
    ["第四节 管理层讨论与分析", "一、概述", "公司积极推进人工智能与大数据应用，坚持创", "新驱动。",
     "公司尚无人工智能业务，不创新就会落后。", "营业收入 1,234.56 78.9% 12,345"],
    ["公司在深度学习领域取得技术突破，", "研发投入持续增加。"],
    ["第五节 公司治理", "公司治理结构完善，设立人工智能委员会。"],
]
SECTION = ["一、概述", "公司积极推进人工智能与大数据应用,坚持创新驱动。", "公司尚无人工智能业务,不创新就会落后。",
           "公司在深度学习领域取得技术突破,研发投入持续增加。"]
