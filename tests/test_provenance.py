"""Year and publisher from provenance where the text lacks them, marked as such."""

import pytest

from parser.pipeline import parse_bytes
from parser.provenance import Hints, year_from

BODY = (
    "一、总体情况\n本年度，我局认真贯彻落实《中华人民共和国政府信息公开条例》，收到政府信息公开申请"
    "3件，均已按时答复。\n二、主动公开政府信息情况\n本年度我局主动公开政府信息120条。\n"
    "三、收到和处理政府信息公开申请情况\n详见上文。\n五、存在的主要问题及改进情况\n公开内容有待丰富。"
)


@pytest.mark.parametrize(
    ("hints", "expected"),
    [
        (Hints(url="https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/201204/t20120418_80716.htm"),
         (2011, "provenance: posting date in the URL")),
        (Hints(path="/data/平潭县2014年度政府信息公开工作年度报告.pdf"), (2014, "provenance: file name")),
        # a 2023 report in a column whose folder says 2019: the posting date decides
        (Hints(url="http://yangxian.gov.cn/yxzf/zwgk/xxgknb/2019/zfbm/202401/e7ae.shtml"),
         (2023, "provenance: posting date in the URL")),
        # posted in June: could be any year's report (a 2013 report re-posted in 2020)
        (Hints(url="http://mz.hangzhou.gov.cn/art/2020/6/30/art_1229152448_9471.html"),
         (None, None)),
        (Hints(year=2016, url="http://example.gov.cn/202401/t20240105_1.html"),
         (2016, "provenance: given")),
        (None, (None, None)),
    ],
)
def test_year_from_provenance(hints, expected):
    assert year_from(hints) == expected


def test_a_report_that_says_only_this_year_and_we():
    hints = Hints(url="http://www.example.gov.cn/xxgk/ndbg/202402/t20240201_1.html",
                  publisher="洪泽区司法局")
    result = parse_bytes(BODY.encode("utf-8"), "report.txt", hints=hints)
    assert (result.report_year, result.report_year_source) == (
        2023, "provenance: posting date in the URL")
    assert (result.publisher, result.publisher_source) == ("洪泽区司法局", "provenance")
    assert result.values["applications.new.total"] == 3  # the 2023 keys, from the year


def test_the_text_wins_over_provenance():
    text = "洪泽区司法局2022年政府信息公开工作年度报告\n" + BODY
    result = parse_bytes(text.encode("utf-8"), "report.txt",
                         hints=Hints(url="http://x.gov.cn/202402/t20240201_1.html",
                                     publisher="别的单位"))
    assert (result.report_year, result.report_year_source) == (2022, "text")
    assert (result.publisher, result.publisher_source) == ("洪泽区司法局", "text")
