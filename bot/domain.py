"""Words of the domain shared by every layer: tiers of groups, levels of regions, kinds of
activity."""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """A region's place in the tree: province → city (市/州) → county (县/市/区)."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


class Tier(StrEnum):
    """A group's tier; each tier is run by one level (seed: 省高级、市中级、县初级)."""

    SENIOR = "senior"
    INTERMEDIATE = "intermediate"
    JUNIOR = "junior"

    @property
    def level(self) -> Level:
        return _LEVEL_OF_TIER[self]

    @property
    def label(self) -> str:
        return _TIER_LABEL[self]


_LEVEL_OF_TIER = {Tier.SENIOR: Level.PROVINCE, Tier.INTERMEDIATE: Level.CITY,
                  Tier.JUNIOR: Level.COUNTY}
_TIER_LABEL = {Tier.SENIOR: "高级", Tier.INTERMEDIATE: "中级", Tier.JUNIOR: "初级"}
LEVEL_LABEL = {Level.PROVINCE: "省", Level.CITY: "市（州）", Level.COUNTY: "县（市、区）"}


class ActivityKind(StrEnum):
    """What a group activity is (seed 三（三）: 培训、讲座、义诊); each is counted on its own."""

    TRAINING = "training"
    LECTURE = "lecture"  # an expert's lecture: its responsible person is the speaker
    CLINIC = "clinic"  # 义诊 / 健康咨询

    @property
    def label(self) -> str:
        return _ACTIVITY_LABEL[self]


_ACTIVITY_LABEL = {ActivityKind.TRAINING: "培训", ActivityKind.LECTURE: "讲座",
                   ActivityKind.CLINIC: "义诊"}
