"""The land-survey coordinate exchange text (坐标交换文件 / 界址点坐标文件): read and write.

The format, as required by provincial natural-resources departments for land-use approval and
boundary surveys (勘测定界), e.g.::

    [属性描述]
    格式版本号=1.01
    数据产生单位=某某测绘院
    数据产生日期=2024-05-01
    坐标系=2000国家大地坐标系
    几度分带=3
    投影类型=高斯克吕格
    计量单位=米
    带号=41
    精度=0.05
    转换参数=,,,,,,
    [地块坐标]
    10,1.2345,1,地块1,面,,工业用地,,@
    J1,1,4534567.123,41512345.678
    ...

* A parcel line is ``界址点数,地块面积,地块编号,地块名称,记录图形属性(面|线|点),图幅号,地块用途,,@``;
  fields may be empty; the trailing ``@`` marks it.
* A vertex line is ``点号,圈号,X,Y`` with **X = northing** and **Y = easting** (surveying order), Y
  usually carrying the zone number as prefix (41 512 345.678 = zone 41).
* 圈号 (ring number): 1 is the outer ring; a parcel with holes (扣除内部面积) or several parts carries
  further numbers. The reader decides hole or part by containment (a ring inside an odd number of the
  parcel's other rings is a hole). Every polygon ring ends by repeating its first vertex.
* 界址点数 counts the vertex lines of the parcel, closing vertices included (the reader also accepts
  the count without the closing vertices, which some tools write).
* 地块面积 is in 公顷 (hectares) in the provincial specifications (e.g. "地块面积:地块的面积,单位为公顷"
  in the 建设项目用地红线坐标文件内容要求 of several provinces); it is returned as ``declared_area``
  (hectares, as declared, not recomputed) and checked against the ellipsoidal area.
* 点号 (point name) is free text, usually J1, J2, ... numbered through the parcel, the closing vertex
  repeating the first name of its ring. The reader ignores it; the writer writes that scheme.
* Encodings: GB18030 (GBK) from most Chinese desktop tools, or UTF-8; UTF-16 (Windows Notepad's
  "Unicode") is read too (:mod:`ecogis.io.text`). The writer uses GB18030.
"""
from __future__ import annotations

from ecogis.io.exchange.areas import AREA_TOLERANCE
from ecogis.io.exchange.parse import AREA_UNIT, COORD_SECTION, HEADER_KEYS, HEADER_SECTION, RECORD_TYPES
from ecogis.io.exchange.reader import read_exchange
from ecogis.io.exchange.write import exchange_crs, write_exchange

__all__ = ["AREA_TOLERANCE", "AREA_UNIT", "COORD_SECTION", "HEADER_KEYS", "HEADER_SECTION", "RECORD_TYPES",
           "exchange_crs", "read_exchange", "write_exchange"]
