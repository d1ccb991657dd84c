"""CloudWatch alarms as AWS keeps them: created through CloudFormation, composite alarms evaluated from their rule.

  * AWS::CloudWatch::Alarm and AWS::CloudWatch::CompositeAlarm are created, updated (in place, keeping their state,
    or replaced when AlarmName changes) and deleted through CloudFormation, into moto's CloudWatch backend, so
    DescribeAlarms sees them and SetAlarmState works. Ref is the alarm name, Fn::GetAtt Arn its ARN.
  * PutCompositeAlarm exists (plain moto has no such action); a rule naming an alarm that does not exist is refused
    as AWS refuses it.
  * A composite alarm's state follows its rule (ALARM/OK/INSUFFICIENT_DATA(name or ARN), TRUE, FALSE, AND, OR,
    NOT, parentheses) whenever an alarm's state or the set of alarms changes, as CloudWatch evaluates it.
  * A new alarm starts in INSUFFICIENT_DATA (plain moto: OK); updating an alarm keeps its state, as AWS does.
"""
from __future__ import annotations

import re
from typing import Any

from moto.cloudwatch import models as cwm
from moto.cloudwatch import responses as cwr
from moto.cloudwatch.exceptions import ValidationError
from moto.core.responses import EmptyResult

from .resources import Resource, as_bool, as_float, as_int, register

backends = cwm.cloudwatch_backends


# --------------------------------------------------------------------------- composite alarm rules
_TOKEN = re.compile(r'\s*(?:(\()|(\))|(ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*"?([^")]+?)"?\s*\)|(TRUE|FALSE)\b|(AND|OR|NOT)\b)')


class RuleError(ValueError):
    pass


def _tokens(rule: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    rule = rule.rstrip()
    while pos < len(rule):
        m = _TOKEN.match(rule, pos)
        if not m:
            raise RuleError(f"Error in alarm rule near: {rule[pos:pos + 30]!r}")
        if m.group(1):
            out.append(("(", ""))
        elif m.group(2):
            out.append((")", ""))
        elif m.group(3):
            out.append((m.group(3), m.group(4).strip()))
        elif m.group(5):
            out.append((m.group(5), ""))
        else:
            out.append((m.group(6), ""))
        pos = m.end()
    return out


def _alarm_name(ref: str) -> str:
    return ref.split(":alarm:", 1)[1] if ":alarm:" in ref else ref


def rule_alarms(rule: str) -> list[str]:
    """The alarm names a rule refers to."""
    return [_alarm_name(arg) for kind, arg in _tokens(rule) if kind in ("ALARM", "OK", "INSUFFICIENT_DATA")]


def evaluate_rule(rule: str, states: dict[str, str]) -> bool:
    """True when the rule holds for the given alarm states (NOT binds tightest, then AND, then OR)."""
    tokens, pos = _tokens(rule), 0

    def peek() -> str | None:
        return tokens[pos][0] if pos < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal pos
        if pos >= len(tokens):
            raise RuleError("Unexpected end of alarm rule")
        pos += 1
        return tokens[pos - 1]

    def primary() -> bool:
        kind, arg = take()
        if kind == "(":
            value = disjunction()
            if take()[0] != ")":
                raise RuleError("Missing ) in alarm rule")
            return value
        if kind == "NOT":
            return not primary()
        if kind in ("TRUE", "FALSE"):
            return kind == "TRUE"
        if kind in ("ALARM", "OK", "INSUFFICIENT_DATA"):
            return states.get(_alarm_name(arg)) == kind
        raise RuleError(f"Unexpected {kind} in alarm rule")

    def conjunction() -> bool:
        value = primary()
        while peek() == "AND":
            take()
            value = primary() and value
        return value

    def disjunction() -> bool:
        value = conjunction()
        while peek() == "OR":
            take()
            value = conjunction() or value
        return value

    result = disjunction()
    if pos != len(tokens):
        raise RuleError("Unexpected text after the alarm rule")
    return result


def evaluate_composites(backend: Any) -> None:
    """Bring every composite alarm's state in line with its rule (repeated, so composites of composites settle)."""
    for _ in range(10):
        changed = False
        states = {name: a.state_value for name, a in backend.alarms.items()}
        for alarm in backend.alarms.values():
            if alarm.rule is None:
                continue
            try:
                value = "ALARM" if evaluate_rule(alarm.rule, states) else "OK"
            except RuleError:
                continue
            if alarm.state_value != value:
                holds = "true" if value == "ALARM" else "false"
                _orig_update_state(alarm, f"The alarm rule evaluated {holds}", "{}", value)
                changed = True
        if not changed:
            return


# --------------------------------------------------------------------------- the CloudWatch backend
_orig_alarm_init = cwm.Alarm.__init__


def _alarm_init(self, *args: Any, **kwargs: Any) -> None:
    _orig_alarm_init(self, *args, **kwargs)
    self.state_value = "INSUFFICIENT_DATA"  # AWS's state for an alarm not evaluated yet
    self.state_reason = "Unchecked: Initial alarm creation"


cwm.Alarm.__init__ = _alarm_init

_orig_update_state = cwm.Alarm.update_state
_orig_put_metric_alarm = cwm.CloudWatchBackend.put_metric_alarm


def _put_metric_alarm(self, name: str, *args: Any, **kwargs: Any) -> Any:
    rule = kwargs.get("rule")
    if rule is not None:
        try:
            missing = [n for n in rule_alarms(rule) if n not in self.alarms and n != name]
        except RuleError as e:
            raise ValidationError(str(e))
        if missing:
            raise ValidationError(
                f"Could not save the composite alarm as alarms [{', '.join(missing)}] in the alarm rule do not exist"
            )
    previous = self.alarms.get(name)
    alarm = _orig_put_metric_alarm(self, name, *args, **kwargs)
    if previous is not None:  # an update keeps the alarm's state
        alarm.state_value, alarm.state_reason = previous.state_value, previous.state_reason
        alarm.state_reason_data, alarm.state_updated_timestamp = previous.state_reason_data, previous.state_updated_timestamp
        alarm.history = previous.history
    evaluate_composites(self)
    return alarm


def _set_alarm_state(self, alarm_name: str, reason: str, reason_data: str, state_value: str) -> None:
    _orig_set_alarm_state(self, alarm_name, reason, reason_data, state_value)
    evaluate_composites(self)


def _delete_alarms(self, alarm_names: list[str]) -> None:
    _orig_delete_alarms(self, alarm_names)
    evaluate_composites(self)


_orig_set_alarm_state = cwm.CloudWatchBackend.set_alarm_state
_orig_delete_alarms = cwm.CloudWatchBackend.delete_alarms
cwm.CloudWatchBackend.put_metric_alarm = _put_metric_alarm
cwm.CloudWatchBackend.set_alarm_state = _set_alarm_state
cwm.CloudWatchBackend.delete_alarms = _delete_alarms


def _r_put_composite_alarm(self) -> EmptyResult:
    self.cloudwatch_backend.put_metric_alarm(
        name=self._get_param("AlarmName"),
        namespace=None,
        metric_name=None,
        comparison_operator=None,
        evaluation_periods=None,
        period=None,
        threshold=None,
        statistic=None,
        description=self._get_param("AlarmDescription"),
        dimensions=[],
        alarm_actions=self._get_param("AlarmActions", []),
        ok_actions=self._get_param("OKActions", []),
        insufficient_data_actions=self._get_param("InsufficientDataActions", []),
        actions_enabled=self._get_bool_param("ActionsEnabled", True),
        rule=self._get_param("AlarmRule"),
        tags=self._get_param("Tags", []),
    )
    return EmptyResult()


cwr.CloudWatchResponse.put_composite_alarm = _r_put_composite_alarm


# --------------------------------------------------------------------------- CloudFormation
def _dimensions(items: Any) -> list[dict[str, str]]:
    return [{"Name": d.get("Name"), "Value": str(d.get("Value"))} for d in (items or [])]


def _queries(metrics: Any) -> list[cwm.MetricDataQuery] | None:
    if not metrics:
        return None
    queries = []
    for m in metrics:
        stat = m.get("MetricStat")
        metric_stat = None
        if stat:
            metric = stat.get("Metric") or {}
            metric_stat = cwm.MetricStat(
                metric=cwm.Metric(
                    metric_name=metric.get("MetricName"),
                    namespace=metric.get("Namespace"),
                    dimensions=[cwm.Dimension(d["Name"], d["Value"]) for d in _dimensions(metric.get("Dimensions"))],
                ),
                period=as_int(stat.get("Period")),
                stat=stat.get("Stat"),
                unit=stat.get("Unit"),
            )
        return_data = m.get("ReturnData")
        queries.append(
            cwm.MetricDataQuery(
                query_id=m.get("Id"),
                label=m.get("Label"),
                period=as_int(m.get("Period")),
                return_data=None if return_data is None else as_bool(return_data, True),
                expression=m.get("Expression"),
                metric_stat=metric_stat,
            )
        )
    return queries


class _Alarm(Resource):
    NAME_PROPERTY = "AlarmName"
    ATTRIBUTES = ("Arn",)

    @classmethod
    def put(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        raise NotImplementedError

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> "_Alarm":
        props = cloudformation_json.get("Properties") or {}
        name = props.get("AlarmName") or resource_name
        alarm = cls.put(name, props, account_id, region_name)
        return cls(name, {"Arn": alarm.alarm_arn}, account_id, region_name)

    @classmethod
    def update(cls, original: "_Alarm", props: dict[str, Any]) -> "_Alarm":
        cls.put(original.physical_id, props, original.account_id, original.region_name)  # PutMetricAlarm overwrites
        return cls(original.physical_id, original.attributes, original.account_id, original.region_name)

    def remove(self) -> None:
        backends[self.account_id][self.region_name].delete_alarms([self.physical_id])


def _tags(props: dict[str, Any]) -> list[dict[str, str]]:
    return [{"Key": t["Key"], "Value": str(t["Value"])} for t in props.get("Tags") or []]


class MetricAlarm(_Alarm):
    TYPE = "AWS::CloudWatch::Alarm"

    @classmethod
    def put(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        return backends[account_id][region_name].put_metric_alarm(
            name=name,
            namespace=props.get("Namespace"),
            metric_name=props.get("MetricName"),
            metric_data_queries=_queries(props.get("Metrics")),
            comparison_operator=props.get("ComparisonOperator"),
            evaluation_periods=as_int(props.get("EvaluationPeriods")),
            datapoints_to_alarm=as_int(props.get("DatapointsToAlarm")),
            period=as_int(props.get("Period")),
            threshold=as_float(props.get("Threshold")),
            statistic=props.get("Statistic"),
            extended_statistic=props.get("ExtendedStatistic"),
            description=props.get("AlarmDescription"),
            dimensions=_dimensions(props.get("Dimensions")),
            alarm_actions=props.get("AlarmActions") or [],
            ok_actions=props.get("OKActions") or [],
            insufficient_data_actions=props.get("InsufficientDataActions") or [],
            unit=props.get("Unit"),
            actions_enabled=as_bool(props.get("ActionsEnabled"), True),
            treat_missing_data=props.get("TreatMissingData"),
            evaluate_low_sample_count_percentile=props.get("EvaluateLowSampleCountPercentile"),
            threshold_metric_id=props.get("ThresholdMetricId"),
            tags=_tags(props),
        )


class CompositeAlarm(_Alarm):
    TYPE = "AWS::CloudWatch::CompositeAlarm"

    @classmethod
    def put(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        return backends[account_id][region_name].put_metric_alarm(
            name=name,
            namespace=None,
            metric_name=None,
            comparison_operator=None,
            evaluation_periods=None,
            period=None,
            threshold=None,
            statistic=None,
            description=props.get("AlarmDescription"),
            dimensions=[],
            alarm_actions=props.get("AlarmActions") or [],
            ok_actions=props.get("OKActions") or [],
            insufficient_data_actions=props.get("InsufficientDataActions") or [],
            actions_enabled=as_bool(props.get("ActionsEnabled"), True),
            rule=props.get("AlarmRule"),
            tags=_tags(props),
        )


register()
