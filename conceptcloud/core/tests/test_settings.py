from django.conf import settings


def test_tests_keep_their_data_out_of_the_working_folder():
    assert "cc-test-" in str(settings.DATA_DIR)
