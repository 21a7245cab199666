-- The firm-year base table of nqp.panel, stated as data.
-- One row per (stkcd, year): consolidated statements (Typrep = 'A') at the fiscal year-end
-- (Accper = YYYY-12-31), joined with the firm-year tables and the regional tables.
-- Column names are the warehouse's semantic names (see nqp/ingest/mapping/*.toml), so the
-- variable definitions in variables.toml read as formulas in source fields.
-- {first_year} and {last_year} are filled in from the study settings.
-- Column names are case-insensitive in DuckDB: a base column must not share its name with a
-- variable of variables.toml (hence soe AS soe_flag, as the variable SOE exists).
WITH
bs   AS (SELECT * EXCLUDE (accper, typrep), year(accper) AS year FROM balance_sheet
         WHERE typrep = 'A' AND month(accper) = 12 AND day(accper) = 31),
inc  AS (SELECT * EXCLUDE (accper, typrep), year(accper) AS year FROM income_statement
         WHERE typrep = 'A' AND month(accper) = 12 AND day(accper) = 31),
cfd  AS (SELECT * EXCLUDE (accper, typrep), year(accper) AS year FROM cash_flow_direct
         WHERE typrep = 'A' AND month(accper) = 12 AND day(accper) = 31),
cfi  AS (SELECT * EXCLUDE (accper, typrep), year(accper) AS year FROM cash_flow_indirect
         WHERE typrep = 'A' AND month(accper) = 12 AND day(accper) = 31),
val  AS (SELECT * EXCLUDE (accper), year(accper) AS year FROM valuation   -- FI_T10 has no Typrep
         WHERE month(accper) = 12 AND day(accper) = 31),
reg  AS (SELECT * EXCLUDE (accper), year(accper) AS year FROM revenue_by_region
         WHERE month(accper) = 12 AND day(accper) = 31),
emp  AS (SELECT * EXCLUDE (end_date), year(end_date) AS year FROM employee_structure
         WHERE month(end_date) = 12 AND day(end_date) = 31),
rd   AS (SELECT * EXCLUDE (end_date), year(end_date) AS year FROM rd_spending
         WHERE month(end_date) = 12 AND day(end_date) = 31),
rdx  AS (SELECT * EXCLUDE (accper), year(accper) AS year FROM rd_expense_items   -- FN_Fn060 items
         WHERE month(accper) = 12 AND day(accper) = 31),
msh  AS (SELECT * EXCLUDE (end_date), year(end_date) AS year FROM management_shareholding
         WHERE month(end_date) = 12 AND day(end_date) = 31),
inst AS (SELECT * EXCLUDE (end_date), year(end_date) AS year FROM institutional_ownership
         WHERE month(end_date) = 12 AND day(end_date) = 31),
nm   AS (SELECT stkcd, year(end_date) AS year, short_name AS short_name_year FROM short_name_annual
         WHERE month(end_date) = 12 AND day(end_date) = 31),
en   AS (SELECT * FROM energy_use),
dv   AS (SELECT * EXCLUDE (fiscal_year), fiscal_year AS year FROM dividends),
subs AS (SELECT stkcd, year(accper) AS year,
                count(DISTINCT country) FILTER (WHERE overseas) AS overseas_countries
         FROM subsidiaries GROUP BY ALL),
-- asset-note items (固定资产/无形资产明细) summed per firm-year: all items, and the items whose
-- name contains an AI keyword of ai_asset_keywords.toml (AIinvest, 人工智能投资). Summed in a
-- fixed order (class, item, amount): a plain parallel sum adds a firm-year's rows in the order
-- the threads happen to finish, so its last bits could differ from run to run.
ai_assets AS (SELECT stkcd, year(accper) AS year,
                     sum(closing_amount ORDER BY asset_class, item, closing_amount) AS asset_items_amount,
                     coalesce(sum(closing_amount ORDER BY asset_class, item, closing_amount)
                              FILTER (WHERE {ai_asset_match}), 0) AS ai_asset_items_amount
              FROM asset_items
              WHERE month(accper) = 12 AND day(accper) = 31 AND list_contains({ai_asset_classes}, asset_class)
              GROUP BY ALL),
co   AS (SELECT stkcd, short_name AS short_name_now, industry_code, province, city, soe AS soe_flag,
                ownership_type, found_date, list_date FROM company_profile)
SELECT bs.*,
       inc.* EXCLUDE (stkcd, year), cfd.* EXCLUDE (stkcd, year), cfi.* EXCLUDE (stkcd, year),
       val.* EXCLUDE (stkcd, year), reg.* EXCLUDE (stkcd, year), emp.* EXCLUDE (stkcd, year),
       rd.* EXCLUDE (stkcd, year), rdx.* EXCLUDE (stkcd, year), msh.* EXCLUDE (stkcd, year),
       inst.* EXCLUDE (stkcd, year),
       -- total pay: 支付给职工以及为职工支付的现金 (C001020000), the usual proxy (STK_CompanyStaff has no pay)
       cfd.cash_paid_employees AS total_pay,
       nm.short_name_year, en.* EXCLUDE (stkcd, year), dv.* EXCLUDE (stkcd, year),
       coalesce(subs.overseas_countries, 0) AS overseas_countries,
       ai_assets.asset_items_amount, ai_assets.ai_asset_items_amount,
       co.* EXCLUDE (stkcd),
       (co.list_date IS NULL OR bs.year >= year(co.list_date)) AS listed,
       rb.robot_density, af.new_ai_firms, ne.new_energy_generation,
       sc.city IS NOT NULL AS smart_city_listed, sc.pilot AS smart_city_pilot,
       sc.approval_year AS smart_city_year, us.us_robot_penetration
FROM bs
LEFT JOIN inc  USING (stkcd, year)
LEFT JOIN cfd  USING (stkcd, year)
LEFT JOIN cfi  USING (stkcd, year)
LEFT JOIN val  USING (stkcd, year)
LEFT JOIN reg  USING (stkcd, year)
LEFT JOIN emp  USING (stkcd, year)
LEFT JOIN rd   USING (stkcd, year)
LEFT JOIN rdx  USING (stkcd, year)
LEFT JOIN msh  USING (stkcd, year)
LEFT JOIN inst USING (stkcd, year)
LEFT JOIN nm   USING (stkcd, year)
LEFT JOIN en   USING (stkcd, year)
LEFT JOIN dv   USING (stkcd, year)
LEFT JOIN subs USING (stkcd, year)
LEFT JOIN ai_assets USING (stkcd, year)
LEFT JOIN co   USING (stkcd)
LEFT JOIN robot_density        rb ON rb.province = co.province AND rb.year = bs.year
LEFT JOIN ai_new_firms         af ON af.city = co.city AND af.year = bs.year
LEFT JOIN new_energy           ne ON ne.province = co.province AND ne.year = bs.year
LEFT JOIN smart_city_pilot     sc ON sc.city = co.city
LEFT JOIN us_robot_penetration us ON us.industry_code = co.industry_code AND us.year = bs.year
-- One year before first_year is kept for the prev_ columns (growth, average assets); nqp.panel
-- drops it, and the not-yet-listed years (statements of the year before the IPO), after the
-- variables are computed.
WHERE bs.year BETWEEN {first_year} - 1 AND {last_year}
