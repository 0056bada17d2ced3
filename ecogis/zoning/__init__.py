"""生态环境分区管控 (三线一单): control units, access lists, the project's industry and the combined
summary of every spatial control. See :mod:`ecogis.zoning.analyse` for the method."""
