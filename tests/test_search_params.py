"""How parse_params reads page and page_size: whole numbers in ASCII digits
(core.params), each refusal explained in Dutch."""

import pytest

from django.http import QueryDict

from search.query import MAX_PAGE_SIZE, parse_params

NOT_A_NUMBER = "Moet een geheel getal zijn."
TOO_SMALL = "Moet 1 of hoger zijn."
TOO_DEEP = "Alleen door de eerste 10000 resultaten kun je bladeren"
TOO_LARGE = "Hoogstens 100 resultaten per pagina."


def parsed(**params):
    request_params = QueryDict(mutable=True)
    request_params.update(params)
    query, errors = parse_params(request_params)
    return query, [(error.param, error.message) for error in errors]


@pytest.mark.parametrize(
    ("params", "param", "message"),
    [
        ({"page": "abc"}, "page", NOT_A_NUMBER),
        ({"page": "2.5"}, "page", NOT_A_NUMBER),
        # Digits of another script are no page number either.
        ({"page": "٣"}, "page", NOT_A_NUMBER),
        ({"page_size": "tien"}, "page_size", NOT_A_NUMBER),
        ({"page": "0"}, "page", TOO_SMALL),
        ({"page_size": "-5"}, "page_size", TOO_SMALL),
        ({"page": "9999"}, "page", TOO_DEEP),
        # More digits than int() takes is still a page too deep.
        ({"page": "9" * 5000}, "page", TOO_DEEP),
        ({"page_size": "101"}, "page_size", TOO_LARGE),
        ({"page_size": "99999999999"}, "page_size", TOO_LARGE),
    ],
)
def test_a_bad_page_number_is_explained_and_left_out(params, param, message):
    query, errors = parsed(**params)
    assert [name for name, _message in errors] == [param]
    assert errors[0][1].startswith(message)
    assert query.page == 1
    assert query.page_size in (12, MAX_PAGE_SIZE)


def test_good_page_numbers_are_read():
    query, errors = parsed(page=" 3 ", page_size="20")
    assert errors == [] and (query.page, query.page_size) == (3, 20)
