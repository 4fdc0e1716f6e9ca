"""The pack's districts are defined once (jiaxing.districts); the copies that must stay copies agree with it."""

from gazette.rules.distributed import synth
from jiaxing import districts
from jiaxing.policies import entities
from jiaxing.schemes.ltc import intake_demo


def test_the_platform_synthesiser_lists_the_pack_districts():
    # the platform may not import the pack, so synth keeps its own tuple: it must not drift
    assert synth.DISTRICTS == districts.DISTRICTS


def test_the_policy_entities_offer_the_pack_districts():
    assert entities.DISTRICTS is districts.DISTRICTS
    district = next(variable for variable in entities.PERSON.variables if variable.name == "district")
    assert district.choices == districts.DISTRICTS


def test_the_ltc_demo_uses_four_of_the_pack_districts():
    assert intake_demo.DEMO_DISTRICTS == ("南湖区", "秀洲区", "嘉善县", "海宁市")
    assert set(intake_demo.DEMO_DISTRICTS) <= set(districts.DISTRICTS)
