#!/usr/bin/env bash
# System packages the report tests use, from Debian's archive, installed where this can be done
# (root with apt-get, as on CI); elsewhere a note, and the tests that need them skip with the reason.
#   chromium                                  headless browser: report.html opens without console errors
#   fonts-noto-cjk                            Chinese glyphs in the figures (matplotlib) and in LaTeX
#   texlive-xetex texlive-latex-recommended   the LaTeX tables compile (booktabs; XeLaTeX for Chinese)
#   texlive-lang-cjk texlive-lang-chinese     xeCJK and the ctex hooks it loads
# Set NQP_SKIP_SYSTEM_PACKAGES=1 to skip.
set -u
PACKAGES="chromium fonts-noto-cjk texlive-xetex texlive-latex-recommended texlive-lang-cjk texlive-lang-chinese"

if [ "${NQP_SKIP_SYSTEM_PACKAGES:-0}" = "1" ]; then
    echo "system-packages: skipped (NQP_SKIP_SYSTEM_PACKAGES=1)"
    exit 0
fi
if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "system-packages: not a Debian system; browser, CJK-font and LaTeX tests will skip"
    exit 0
fi
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    echo "system-packages: missing:$missing (not root: install them with apt-get, or the tests that need them skip)"
    exit 0
fi
echo "system-packages: installing$missing"
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; } >/tmp/nqp-system-packages.log 2>&1; then
    echo "system-packages: apt-get failed (see /tmp/nqp-system-packages.log); the tests that need them skip"
fi
exit 0
